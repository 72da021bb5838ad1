#include "campaign_store.hpp"

#include <cstdio>

namespace switchboard::campaigns {
namespace {

sdk::Error corrupt(const std::string& key) {
  return sdk::Error::permanent("campaign.corrupt_state", "stored value \"" + key + "\" is not readable");
}

template <typename T>
T numberOr(const nlohmann::json& j, const char* key, T fallback) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<T>() : fallback;
}

}  // namespace

nlohmann::json RunState::toJson() const {
  return {{"state", toString(state)},   {"run", run},       {"next_run_at", nextRunAt},
          {"run_started_at", runStartedAt}, {"active", active}, {"selected", selected},
          {"selected_count", selectedCount}, {"cursor", cursor},
          {"created_at", createdAt},    {"updated_at", updatedAt}};
}

std::optional<RunState> RunState::fromJson(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object() || !j.contains("state") || !j["state"].is_string()) {
    return std::nullopt;
  }
  auto st = stateFromString(j["state"].get<std::string>());
  if (!st) {
    return std::nullopt;
  }
  RunState s;
  s.state = *st;
  s.run = numberOr(j, "run", 0);
  s.nextRunAt = numberOr<long long>(j, "next_run_at", 0);
  s.runStartedAt = numberOr<long long>(j, "run_started_at", 0);
  s.selected = j.contains("selected") && j["selected"].is_boolean() && j["selected"].get<bool>();
  s.active = j.contains("active") && j["active"].is_boolean() && j["active"].get<bool>();
  s.selectedCount = numberOr<long long>(j, "selected_count", 0);
  s.cursor = j.contains("cursor") && j["cursor"].is_string() ? j["cursor"].get<std::string>() : "";
  s.createdAt = numberOr<long long>(j, "created_at", 0);
  s.updatedAt = numberOr<long long>(j, "updated_at", 0);
  return s;
}

sdk::Status CampaignStore::saveDefinition(const Campaign& c) {
  return storage_->putState(ns_, "c/" + c.id, toJson(c).dump());
}

sdk::Result<std::optional<Campaign>> CampaignStore::definition(const std::string& id) {
  auto v = storage_->getState(ns_, "c/" + id);
  SB_TRY(v);
  if (!v.value()) {
    return std::optional<Campaign>();
  }
  auto j = nlohmann::json::parse(**v, nullptr, false);
  auto c = parseCampaign(j);
  if (!c.ok()) {
    return corrupt("c/" + id);
  }
  return std::optional<Campaign>(std::move(c).value());
}

sdk::Status CampaignStore::saveState(const std::string& id, const RunState& s) {
  return storage_->putState(ns_, "s/" + id, s.toJson().dump());
}

sdk::Result<std::optional<RunState>> CampaignStore::state(const std::string& id) {
  auto v = storage_->getState(ns_, "s/" + id);
  SB_TRY(v);
  if (!v.value()) {
    return std::optional<RunState>();
  }
  auto s = RunState::fromJson(**v);
  if (!s) {
    return corrupt("s/" + id);
  }
  return s;
}

sdk::Result<std::vector<std::string>> CampaignStore::campaignIds(int limit) {
  auto rows = storage_->scanState(ns_, "c/", limit);
  SB_TRY(rows);
  std::vector<std::string> ids;
  for (const auto& [k, v] : rows.value()) {
    (void)v;
    ids.push_back(k.substr(2));
  }
  return ids;
}

std::string CampaignStore::recipientPrefix(const std::string& campaign, int run) {
  if (run <= 0) {
    return "r/" + campaign + "/";
  }
  char buf[16];
  std::snprintf(buf, sizeof buf, "%06d", run);
  return "r/" + campaign + "/" + buf + "/";
}

sdk::Status CampaignStore::putRecipient(const std::string& campaign, int run, const Recipient& r) {
  return storage_->putState(ns_, recipientPrefix(campaign, run) + r.contact, r.toJson().dump());
}

sdk::Result<std::optional<Recipient>> CampaignStore::recipient(const std::string& campaign, int run,
                                                               const std::string& contact) {
  const auto key = recipientPrefix(campaign, run) + contact;
  auto v = storage_->getState(ns_, key);
  SB_TRY(v);
  if (!v.value()) {
    return std::optional<Recipient>();
  }
  auto r = Recipient::fromJson(**v);
  if (!r) {
    return corrupt(key);
  }
  return r;
}

sdk::Result<std::vector<Recipient>> CampaignStore::recipients(const std::string& campaign, int run, int limit) {
  auto rows = storage_->scanState(ns_, recipientPrefix(campaign, run), limit);
  SB_TRY(rows);
  std::vector<Recipient> out;
  out.reserve(rows->size());
  for (const auto& [k, v] : rows.value()) {
    if (auto r = Recipient::fromJson(v)) {
      out.push_back(std::move(*r));
    }
  }
  return out;
}

sdk::Status CampaignStore::putLast(const std::string& contact, const LastMessage& m) {
  return storage_->putState(ns_, "l/" + contact,
                            nlohmann::json{{"campaign", m.campaign}, {"run", m.run}, {"at", m.at}}.dump());
}

sdk::Result<std::optional<LastMessage>> CampaignStore::last(const std::string& contact) {
  auto v = storage_->getState(ns_, "l/" + contact);
  SB_TRY(v);
  if (!v.value()) {
    return std::optional<LastMessage>();
  }
  auto j = nlohmann::json::parse(**v, nullptr, false);
  if (!j.is_object() || !j.contains("campaign") || !j["campaign"].is_string()) {
    return corrupt("l/" + contact);
  }
  LastMessage m;
  m.campaign = j["campaign"].get<std::string>();
  m.run = numberOr(j, "run", 0);
  m.at = numberOr<long long>(j, "at", 0);
  return std::optional<LastMessage>(m);
}

sdk::Status CampaignStore::putOptOut(const std::string& contact, const OptOutRecord& r) {
  return storage_->putState(ns_, "o/" + contact, r.toJson());
}

sdk::Result<std::optional<OptOutRecord>> CampaignStore::optOut(const std::string& contact) {
  auto v = storage_->getState(ns_, "o/" + contact);
  SB_TRY(v);
  if (!v.value()) {
    return std::optional<OptOutRecord>();
  }
  auto r = OptOutRecord::fromJson(**v);
  if (!r) {
    return corrupt("o/" + contact);
  }
  return r;
}

}  // namespace switchboard::campaigns
