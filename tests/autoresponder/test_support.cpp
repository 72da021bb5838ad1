#include "test_support.hpp"

#include <date/date.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "config/schema_validator.hpp"
#include "config_schema.hpp"

namespace switchboard::autoresponder::test {
namespace {

sdk::ConfigValue validate(const std::string& yaml, host::ConfigErrors& errors) {
  host::ValidationContext ctx;
  ctx.file = "test.yaml";
  ctx.env = [](const std::string&) { return std::nullopt; };
  auto value = host::validateSection(YAML::Load(yaml), configSchema(), "", ctx);
  errors = ctx.errors;
  return value;
}

}  // namespace

sdk::ConfigValue configFromYaml(const std::string& yaml) {
  host::ConfigErrors errors;
  auto value = validate(yaml, errors);
  for (const auto& e : errors) {
    ADD_FAILURE() << "configuration refused by the validator: " << e.describe();
  }
  return value;
}

std::vector<std::string> validatorErrors(const std::string& yaml) {
  host::ConfigErrors errors;
  (void)validate(yaml, errors);
  std::vector<std::string> out;
  for (const auto& e : errors) {
    out.push_back(e.key + ": " + e.message);
  }
  return out;
}

sdk::Result<RuleBook> bookFromYaml(const std::string& yaml) { return parseRuleBook(configFromYaml(yaml)); }

sdk::TimestampMs utc(int year, unsigned month, unsigned day, int hour, int minute, int second) {
  const auto days = date::sys_days(date::year(year) / date::month(month) / date::day(day));
  const auto t = days + std::chrono::hours(hour) + std::chrono::minutes(minute) + std::chrono::seconds(second);
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

sdk::InboundMessage textMessage(const std::string& text, const std::string& id, const std::string& chat,
                                const std::string& account) {
  sdk::InboundMessage m;
  m.account = account;
  m.id = id;
  m.networkId = "net-" + id;
  m.conversation = "cv_1";
  m.chat = chat;
  m.sender = chat;
  m.senderName = "Dana Scully";
  m.timestamp = utc(2024, 1, 15, 10);
  m.text = text;
  return m;
}

sdk::Conversation conversationFor(const sdk::InboundMessage& m, const std::string& id) {
  sdk::Conversation c;
  c.id = id;
  c.tenant = m.tenant;
  c.account = m.account;
  c.contact = "ct_1";
  c.peer = m.chat;
  return c;
}

}  // namespace switchboard::autoresponder::test
