// The CRM sync's parts without a network: configuration, field mapping both ways, the request
// shapes of both dialects, retry decisions, Retry-After, signatures and the webhook guard.

#include <gtest/gtest.h>

#include "crm_config.hpp"
#include "crm_fixture.hpp"
#include "dialect.hpp"
#include "field_mapping.hpp"
#include "hubspot_dialect.hpp"
#include "retry_policy.hpp"
#include "signature.hpp"
#include "webhook_guard.hpp"

namespace switchboard::crm::test {
namespace {

using namespace std::chrono_literals;

Settings settingsFrom(const std::string& yaml) {
  auto s = readSettings(configFromYaml(yaml));
  EXPECT_TRUE(s.ok()) << s.error().describe();
  return s.ok() ? s.value() : Settings{};
}

sdk::Contact dana() {
  sdk::Contact c;
  c.id = "ct_1";
  c.phone = "15551234567";
  c.name = "Dana Scully";
  c.language = "en";
  c.vip = true;
  c.tags = {"lead", "fbi"};
  c.fields = {{"plan", "gold"}};
  c.updatedAt = 1000;
  return c;
}

TEST(CrmConfig, DefaultsAndErrors) {
  auto s = settingsFrom("base_url: https://crm.example/api/\n");
  EXPECT_EQ(s.baseUrl, "https://crm.example/api");
  EXPECT_EQ(s.events, mirrorableEvents());
  EXPECT_EQ(s.mapping.at("name"), "name");
  EXPECT_TRUE(s.verifyTls);

  auto bad = [](const std::string& yaml) {
    auto r = readSettings(configFromYaml(yaml));
    EXPECT_FALSE(r.ok()) << yaml;
    return r.ok() ? std::string() : r.error().message;
  };
  EXPECT_NE(bad("base_url: ftp://x\n").find("base_url"), std::string::npos);
  EXPECT_NE(bad("base_url: https://x\nauth:\n  kind: bearer\n").find("auth.token"), std::string::npos);
  EXPECT_NE(bad("base_url: https://x\nmapping:\n  nickname: nick\n").find("nickname"), std::string::npos);
  EXPECT_NE(bad("base_url: https://x\nevents: [message.received]\n").find("message.received"), std::string::npos);
  EXPECT_NE(bad("base_url: https://x\nwebhook:\n  enabled: true\n  secret: short\n").find("16"), std::string::npos);
  EXPECT_NE(bad("base_url: https://x\nwebhook:\n  enabled: true\n  secret: 0123456789abcdef0\n"
                "  signature: hubspot-v3\n")
                .find("public_url"),
            std::string::npos);

  std::vector<std::string> errors;
  (void)configFromYaml("base_url: https://x\ntarget: salesforce\n", &errors);
  EXPECT_FALSE(errors.empty());  // the schema's allowed values
}

TEST(CrmMapping, OutgoingNativeAndStrings) {
  Mapping m = {{"name", "full_name"}, {"tags", "labels"}, {"vip", "is_vip"}, {"fields.plan", "plan"},
               {"fields.absent", "nothing"}};
  auto native = mapContact(dana(), m, ValueStyle::Native);
  EXPECT_EQ(native, nlohmann::json({{"full_name", "Dana Scully"},
                                    {"labels", {"lead", "fbi"}},
                                    {"is_vip", true},
                                    {"plan", "gold"}}));
  auto strings = mapContact(dana(), m, ValueStyle::Strings);
  EXPECT_EQ(strings["labels"], "lead;fbi");
  EXPECT_EQ(strings["is_vip"], "true");
}

TEST(CrmMapping, IncomingThroughTheReverseMapping) {
  Mapping m = {{"id", "ext"}, {"name", "full_name"}, {"tags", "labels"}, {"vip", "is_vip"}, {"fields.plan", "plan"}};
  auto c = dana();
  auto changed = applyProperties({{"full_name", "Dana K. Scully"},
                                  {"labels", "a; b,c"},
                                  {"is_vip", "false"},
                                  {"plan", "platinum"},
                                  {"ext", "ct_other"},
                                  {"unmapped", "ignored"}},
                                 m, c);
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(changed.value(), (std::vector<std::string>{"fields.plan", "name", "tags", "vip"}));
  EXPECT_EQ(c.id, "ct_1");  // never from the CRM
  EXPECT_EQ(c.tags, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_FALSE(c.vip);
  EXPECT_EQ(c.fields.at("plan"), "platinum");

  auto same = applyProperties({{"full_name", "Dana K. Scully"}}, m, c);
  ASSERT_TRUE(same.ok());
  EXPECT_TRUE(same->empty());

  auto wrong = applyProperties({{"is_vip", nlohmann::json::array()}}, m, c);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, "crm.webhook_value");
  EXPECT_FALSE(applyProperties(nlohmann::json::array(), m, c).ok());
}

TEST(CrmMapping, FingerprintFollowsTheValues) {
  Mapping m = {{"name", "name"}};
  auto a = dana();
  auto b = dana();
  EXPECT_EQ(fingerprint(mapContact(a, m, ValueStyle::Native)), fingerprint(mapContact(b, m, ValueStyle::Native)));
  b.name = "Other";
  EXPECT_NE(fingerprint(mapContact(a, m, ValueStyle::Native)), fingerprint(mapContact(b, m, ValueStyle::Native)));
}

TEST(CrmDialect, RestPathsEncodeTheKey) {
  auto s = settingsFrom("base_url: https://crm.example\nupsert_by: external_id\n"
                        "rest:\n  contact_method: PATCH\n  contact_path: /v2/people/{key}\n");
  auto d = makeDialect(s, "crm");
  auto c = dana();
  c.id = "ct/1 x";
  OutboxItem item;
  item.seq = 7;
  item.event = "contact.updated";
  auto call = d->next(item, c, std::nullopt);
  ASSERT_TRUE(call.ok());
  EXPECT_EQ(call->call.method, "PATCH");
  EXPECT_EQ(call->call.url, "https://crm.example/v2/people/ct%2F1%20x");
  EXPECT_EQ(call->call.headers.at("Idempotency-Key"), "crm-7:PATCH:/v2/people/ct%2F1%20x");
  EXPECT_EQ(nlohmann::json::parse(call->call.body)["switchboard_id"], "ct/1 x");
  EXPECT_TRUE(call->contactUpsert);
  EXPECT_EQ(d->crmIdFromUpsert("{\"id\":42}"), "42");
  EXPECT_EQ(d->crmIdFromUpsert("not json"), std::nullopt);

  auto byPhone = makeDialect(settingsFrom("base_url: https://crm.example\n"), "crm");
  c.phone.clear();
  auto none = byPhone->next(item, c, std::nullopt);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, "crm.no_key");
}

TEST(CrmDialect, RestKeyFieldAndCreateAfterMissing) {
  auto s = settingsFrom("base_url: http://127.0.0.1:3000\n"
                        "rest:\n  key_field: id\n  create_method: POST\n  create_path: /contacts\n");
  auto d = makeDialect(s, "crm");
  OutboxItem item;
  item.seq = 9;
  item.event = "contact.created";
  auto call = d->next(item, dana(), std::nullopt);
  ASSERT_TRUE(call.ok());
  EXPECT_EQ(call->call.url, "http://127.0.0.1:3000/contacts/15551234567");
  EXPECT_EQ(nlohmann::json::parse(call->call.body)["id"], "15551234567");
  auto create = d->createAfterMissing(item, dana());
  ASSERT_TRUE(create.has_value());
  EXPECT_EQ(create->method, "POST");
  EXPECT_EQ(create->url, "http://127.0.0.1:3000/contacts");
  EXPECT_EQ(create->body, call->call.body);  // the same record, created
  EXPECT_NE(create->headers.at("Idempotency-Key"), call->call.headers.at("Idempotency-Key"));

  // Without a create shape a 404 stays final; the HubSpot dialect has none.
  EXPECT_FALSE(makeDialect(settingsFrom("base_url: https://crm.example\n"), "crm")->createAfterMissing(item, dana()));
  EXPECT_FALSE(makeDialect(settingsFrom("base_url: https://api.hubapi.com\ntarget: hubspot\n"), "crm")
                   ->createAfterMissing(item, dana()));
  // A create the next upsert could not find is refused, as is half a shape.
  auto r = readSettings(configFromYaml("base_url: https://x\nrest:\n  create_method: POST\n  create_path: /c\n"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("key_field"), std::string::npos);
  r = readSettings(configFromYaml("base_url: https://x\nrest:\n  create_method: POST\n"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("go together"), std::string::npos);
}

TEST(CrmDialect, HubSpotWebhookEvents) {
  auto d = makeDialect(settingsFrom("base_url: https://api.hubapi.com\ntarget: hubspot\n"), "crm");
  auto changes = d->parseWebhook(R"([
    {"objectId": 1001, "propertyName": "firstname", "propertyValue": "Dana", "occurredAt": 5000,
     "subscriptionType": "contact.propertyChange"},
    {"objectId": 1002, "occurredAt": 5000, "subscriptionType": "contact.creation"}])");
  ASSERT_TRUE(changes.ok()) << changes.error().describe();
  ASSERT_EQ(changes->size(), 1u);
  EXPECT_EQ(changes->at(0).by, RemoteChange::By::CrmId);
  EXPECT_EQ(changes->at(0).id, "1001");
  EXPECT_EQ(changes->at(0).updatedAt, 5000);
  EXPECT_EQ(changes->at(0).properties["firstname"], "Dana");
  EXPECT_FALSE(d->parseWebhook("{}").ok());
  EXPECT_FALSE(d->parseWebhook("[{\"subscriptionType\":\"contact.propertyChange\"}]").ok());
  EXPECT_EQ(d->crmIdFromUpsert(R"({"results":[{"id":"77"}]})"), "77");
}

TEST(CrmRetry, Verdicts) {
  EXPECT_EQ(classify(200), Verdict::Delivered);
  EXPECT_EQ(classify(204), Verdict::Delivered);
  EXPECT_EQ(classify(429), Verdict::RateLimited);
  EXPECT_EQ(classify(500), Verdict::Retry);
  EXPECT_EQ(classify(503), Verdict::Retry);
  EXPECT_EQ(classify(408), Verdict::Retry);
  EXPECT_EQ(classify(400), Verdict::Reject);
  EXPECT_EQ(classify(401), Verdict::Reject);
  EXPECT_EQ(classify(422), Verdict::Reject);
}

TEST(CrmRetry, BackoffDoublesUpToTheCap) {
  RetrySettings r;
  r.initialBackoff = 100ms;
  r.maxBackoff = 1000ms;
  EXPECT_EQ(backoffAfter(1, r, 0), 100ms);
  EXPECT_EQ(backoffAfter(2, r, 0), 200ms);
  EXPECT_EQ(backoffAfter(4, r, 0), 800ms);
  EXPECT_EQ(backoffAfter(5, r, 0), 1000ms);
  EXPECT_EQ(backoffAfter(60, r, 0), 1000ms);
  EXPECT_EQ(backoffAfter(2, r, 1), 160ms);  // jitter takes at most a fifth
}

TEST(CrmRetry, RetryAfterSecondsAndDates) {
  EXPECT_EQ(parseRetryAfter("120", 0), 120000ms);
  EXPECT_EQ(parseRetryAfter(" 3 ", 0), 3000ms);
  // Sun, 06 Nov 1994 08:49:37 GMT = 784111777 s
  EXPECT_EQ(parseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", 784111777000 - 5000), 5000ms);
  EXPECT_EQ(parseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", 784111777000 + 5000), 0ms);
  EXPECT_EQ(parseRetryAfter("-1", 0), std::nullopt);
  EXPECT_EQ(parseRetryAfter("soon", 0), std::nullopt);
  EXPECT_EQ(parseRetryAfter("", 0), std::nullopt);
}

TEST(CrmSignature, KnownVectors) {
  // RFC 4231 test case 2.
  EXPECT_EQ(toHex(hmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(toBase64(""), "");
  EXPECT_EQ(toBase64("f"), "Zg==");
  EXPECT_EQ(toBase64("fo"), "Zm8=");
  EXPECT_EQ(toBase64("foo"), "Zm9v");
  EXPECT_EQ(toBase64("foobar"), "Zm9vYmFy");
  EXPECT_TRUE(constantTimeEquals("abc", "abc"));
  EXPECT_FALSE(constantTimeEquals("abc", "abd"));
  EXPECT_FALSE(constantTimeEquals("abc", "ab"));
}

TEST(CrmWebhookGuard, SchemesSkewAndReplays) {
  for (auto scheme : {SignatureScheme::Switchboard, SignatureScheme::HubSpotV3}) {
    WebhookSettings s;
    s.secret = "0123456789abcdef";
    s.scheme = scheme;
    s.publicUrl = "https://sb.example/v1/hooks/crm/webhook";
    s.maxSkew = 1000ms;
    WebhookGuard guard(s, 3);
    const sdk::TimestampMs now = 1'700'000'000'000;
    auto headers = WebhookGuard::sign(s, "{}", now);
    EXPECT_TRUE(guard.check(headers, "{}", now).ok());
    EXPECT_EQ(guard.check(headers, "{}", now).error().code, "crm.webhook_replay");
    EXPECT_EQ(guard.check(headers, "{ }", now).error().code, "crm.webhook_signature");
    EXPECT_EQ(guard.check(WebhookGuard::sign(s, "{}", now - 1001), "{}", now).error().code, "crm.webhook_stale");
    EXPECT_EQ(guard.check(WebhookGuard::sign(s, "{}", now + 1001), "{}", now).error().code, "crm.webhook_stale");
    EXPECT_EQ(guard.check({}, "{}", now).error().code, "crm.webhook_unsigned");
    // Bounded memory: the oldest signatures are forgotten first, and forgotten ones have expired
    // by the time their timestamps could pass again.
    for (int i = 1; i <= 5; ++i) {
      EXPECT_TRUE(guard.check(WebhookGuard::sign(s, "{}", now + i), "{}", now).ok());
    }
  }
  WebhookSettings hub;
  hub.secret = "secret";
  hub.scheme = SignatureScheme::HubSpotV3;
  hub.publicUrl = "https://x/h";
  auto h = WebhookGuard::sign(hub, "B", 5);
  EXPECT_EQ(h.at("x-hubspot-signature-v3"), toBase64(hmacSha256("secret", "POSThttps://x/hB5")));
}

}  // namespace
}  // namespace switchboard::crm::test
