#include "outbox.hpp"

#include <charconv>
#include <cstdio>

#include <nlohmann/json.hpp>

namespace switchboard::crm {

Outbox::Outbox(std::shared_ptr<sdk::TenantStorage> storage, std::string ns)
    : storage_(std::move(storage)), ns_(std::move(ns)) {}

std::string Outbox::seqKey(const char* prefix, std::uint64_t seq) {
  char digits[24];
  std::snprintf(digits, sizeof digits, "%020llu", static_cast<unsigned long long>(seq));
  return std::string(prefix) + digits;
}

std::string Outbox::encode(const OutboxItem& i) {
  nlohmann::json j = {{"seq", i.seq},           {"event", i.event}, {"contact", i.contact},
                      {"conversation", i.conversation}, {"text", i.text},   {"author", i.author},
                      {"agent", i.agent},       {"at", i.at},       {"attempts", i.attempts},
                      {"due", i.due},           {"last_error", i.lastError}};
  return j.dump();
}

sdk::Result<OutboxItem> Outbox::decode(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("seq") || !j["seq"].is_number_unsigned() ||
      !j.contains("event") || !j["event"].is_string()) {
    return sdk::Error::permanent("crm.outbox_corrupt", "an outbox row is not a CRM delivery: " + text.substr(0, 80));
  }
  OutboxItem i;
  i.seq = j["seq"].get<std::uint64_t>();
  i.event = j["event"].get<std::string>();
  auto str = [&](const char* k) { return j.contains(k) && j[k].is_string() ? j[k].get<std::string>() : std::string(); };
  auto num = [&](const char* k) { return j.contains(k) && j[k].is_number_integer() ? j[k].get<long long>() : 0LL; };
  i.contact = str("contact");
  i.conversation = str("conversation");
  i.text = str("text");
  i.author = str("author");
  i.agent = str("agent");
  i.at = num("at");
  i.attempts = static_cast<int>(num("attempts"));
  i.due = num("due");
  i.lastError = str("last_error");
  return i;
}

sdk::Result<std::uint64_t> Outbox::push(OutboxItem item) {
  if (!next_) {
    auto stored = storage_->getState(ns_, "meta/next");
    SB_TRY(stored);
    std::uint64_t next = 1;
    if (const auto& text = stored.value(); text) {
      auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), next);
      if (ec != std::errc() || end != text->data() + text->size() || next == 0) {
        return sdk::Error::fatal("crm.outbox_corrupt", "the outbox counter meta/next is \"" + *text + "\"");
      }
    }
    next_ = next;
  }
  item.seq = *next_;
  // The counter first: a crash between the writes leaves a gap, never two items with one seq.
  SB_TRY(storage_->putState(ns_, "meta/next", std::to_string(item.seq + 1)));
  *next_ = item.seq + 1;
  SB_TRY(storage_->putState(ns_, seqKey("q/", item.seq), encode(item)));
  return item.seq;
}

sdk::Result<std::vector<OutboxItem>> Outbox::pending(int limit) {
  auto rows = storage_->scanState(ns_, "q/", limit);
  SB_TRY(rows);
  std::vector<OutboxItem> out;
  for (const auto& [key, value] : rows.value()) {
    auto item = decode(value);
    SB_TRY(item);
    out.push_back(std::move(item).value());
  }
  return out;
}

sdk::Result<std::optional<OutboxItem>> Outbox::head() {
  auto items = pending(1);
  SB_TRY(items);
  if (items->empty()) {
    return std::optional<OutboxItem>();
  }
  return std::optional<OutboxItem>(std::move(items->front()));
}

sdk::Status Outbox::update(const OutboxItem& item) { return storage_->putState(ns_, seqKey("q/", item.seq), encode(item)); }

sdk::Status Outbox::remove(std::uint64_t seq) { return storage_->deleteState(ns_, seqKey("q/", seq)); }

sdk::Status Outbox::deadLetter(const OutboxItem& item, const std::string& reason, sdk::TimestampMs now) {
  nlohmann::json j = {{"item", nlohmann::json::parse(encode(item))}, {"reason", reason}, {"at", now}};
  // Written before the queue row goes: a crash in between sends the item once more, never loses it.
  SB_TRY(storage_->putState(ns_, seqKey("dl/", item.seq), j.dump()));
  return remove(item.seq);
}

sdk::Result<std::vector<DeadLetter>> Outbox::deadLetters(int limit) {
  auto rows = storage_->scanState(ns_, "dl/", limit);
  SB_TRY(rows);
  std::vector<DeadLetter> out;
  for (const auto& [key, value] : rows.value()) {
    auto j = nlohmann::json::parse(value, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("item") || !j["reason"].is_string()) {
      return sdk::Error::permanent("crm.outbox_corrupt", "dead-letter row " + key + " is unreadable");
    }
    auto item = decode(j["item"].dump());
    SB_TRY(item);
    out.push_back({std::move(item).value(), j["reason"].get<std::string>(),
                   j.contains("at") && j["at"].is_number_integer() ? j["at"].get<long long>() : 0});
  }
  return out;
}

sdk::Result<std::optional<std::string>> Outbox::crmId(const std::string& contact) {
  return storage_->getState(ns_, "id/" + contact);
}

sdk::Result<std::optional<std::string>> Outbox::contactOfCrmId(const std::string& crmId) {
  return storage_->getState(ns_, "rid/" + crmId);
}

sdk::Status Outbox::setCrmId(const std::string& contact, const std::string& crmId) {
  SB_TRY(storage_->putState(ns_, "id/" + contact, crmId));
  return storage_->putState(ns_, "rid/" + crmId, contact);
}

sdk::Result<std::optional<std::string>> Outbox::syncedFingerprint(const std::string& contact) {
  return storage_->getState(ns_, "fp/" + contact);
}

sdk::Status Outbox::setSyncedFingerprint(const std::string& contact, const std::string& fingerprint) {
  return storage_->putState(ns_, "fp/" + contact, fingerprint);
}

}  // namespace switchboard::crm
