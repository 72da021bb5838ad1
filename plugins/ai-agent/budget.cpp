#include "budget.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <ctime>

namespace switchboard::aiagent {

std::string Budget::dayOf(std::int64_t nowMs) {
  const std::time_t t = static_cast<std::time_t>(nowMs / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
  return buf;
}

std::string Budget::key(const std::string& account, std::int64_t nowMs) {
  return "budget/" + account + "/" + dayOf(nowMs);
}

double Budget::costOf(std::int64_t promptTokens, std::int64_t completionTokens) const {
  return static_cast<double>(promptTokens) / 1000.0 * settings_.promptCostPer1k +
         static_cast<double>(completionTokens) / 1000.0 * settings_.completionCostPer1k;
}

sdk::Result<Spent> Budget::spent(sdk::TenantStorage& storage, const std::string& account, std::int64_t nowMs) const {
  auto stored = storage.getState(ns_, key(account, nowMs));
  if (!stored.ok()) {
    return stored.takeError();
  }
  Spent s;
  if (!stored.value()) {
    return s;
  }
  auto j = nlohmann::json::parse(*stored.value(), nullptr, false);
  if (j.is_object()) {
    if (auto t = j.find("tokens"); t != j.end() && t->is_number_integer()) {
      s.tokens = t->get<std::int64_t>();
    }
    if (auto c = j.find("cost"); c != j.end() && c->is_number()) {
      s.cost = c->get<double>();
    }
  }
  return s;
}

sdk::Result<bool> Budget::allows(sdk::TenantStorage& storage, const std::string& account, std::int64_t nowMs) const {
  if (!limited()) {
    return true;
  }
  auto s = spent(storage, account, nowMs);
  if (!s.ok()) {
    return s.takeError();
  }
  if (settings_.tokensPerDay > 0 && s->tokens >= settings_.tokensPerDay) {
    return false;
  }
  if (settings_.costPerDay > 0 && s->cost >= settings_.costPerDay) {
    return false;
  }
  return true;
}

sdk::Result<Spent> Budget::charge(sdk::TenantStorage& storage, const std::string& account, std::int64_t nowMs,
                                  std::int64_t promptTokens, std::int64_t completionTokens) const {
  auto s = spent(storage, account, nowMs);
  if (!s.ok()) {
    return s.takeError();
  }
  Spent total = s.value();
  total.tokens += promptTokens + completionTokens;
  total.cost += costOf(promptTokens, completionTokens);
  nlohmann::json j = {{"tokens", total.tokens}, {"cost", total.cost}};
  if (auto put = storage.putState(ns_, key(account, nowMs), j.dump()); !put.ok()) {
    return put.takeError();
  }
  return total;
}

}  // namespace switchboard::aiagent
