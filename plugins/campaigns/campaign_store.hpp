#pragma once

// Where the plugin keeps everything, in the SDK's per-plugin key/value state (no tables of its
// own, so it runs on any host storage): definitions, each campaign's run state, one record per
// recipient and run, the latest campaign message per contact (to credit replies), and opt-outs.
//
//   c/<campaign>                      definition (JSON)
//   s/<campaign>                      run state (JSON)
//   r/<campaign>/<run, 6 digits>/<contact>  recipient (JSON)
//   l/<contact>                       {"campaign","run","at"} of the newest message sent
//   o/<contact>                       opt-out record

#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "campaign.hpp"
#include "lifecycle.hpp"
#include "opt_out.hpp"
#include "recipient.hpp"
#include "switchboard/sdk/storage.hpp"

namespace switchboard::campaigns {

/// The changing part of a campaign.
struct RunState {
  State state = State::Draft;
  int run = 0;                     ///< The current (or last) run; 0 before the first.
  sdk::TimestampMs nextRunAt = 0;  ///< Scheduled: when the next run starts.
  sdk::TimestampMs runStartedAt = 0;
  bool active = false;             ///< A run started and has not finished (paused runs stay active).
  bool selected = false;           ///< The current run's audience is fully recorded.
  long long selectedCount = 0;     ///< Recipients recorded for the current run.
  std::string cursor;              ///< Audience selection: last contact id recorded.
  sdk::TimestampMs createdAt = 0, updatedAt = 0;

  nlohmann::json toJson() const;
  static std::optional<RunState> fromJson(const std::string& text);
};

struct LastMessage {
  std::string campaign;
  int run = 0;
  sdk::TimestampMs at = 0;
};

class CampaignStore {
 public:
  CampaignStore(std::shared_ptr<sdk::TenantStorage> storage, std::string ns)
      : storage_(std::move(storage)), ns_(std::move(ns)) {}

  sdk::TenantStorage& storage() { return *storage_; }

  sdk::Status saveDefinition(const Campaign& c);
  sdk::Result<std::optional<Campaign>> definition(const std::string& id);
  sdk::Status saveState(const std::string& id, const RunState& s);
  sdk::Result<std::optional<RunState>> state(const std::string& id);
  /// Every stored campaign id.
  sdk::Result<std::vector<std::string>> campaignIds(int limit);

  sdk::Status putRecipient(const std::string& campaign, int run, const Recipient& r);
  sdk::Result<std::optional<Recipient>> recipient(const std::string& campaign, int run, const std::string& contact);
  /// Recipients of one run (run > 0) or of all runs (run == 0), at most `limit`.
  sdk::Result<std::vector<Recipient>> recipients(const std::string& campaign, int run, int limit);

  sdk::Status putLast(const std::string& contact, const LastMessage& m);
  sdk::Result<std::optional<LastMessage>> last(const std::string& contact);

  sdk::Status putOptOut(const std::string& contact, const OptOutRecord& r);
  sdk::Result<std::optional<OptOutRecord>> optOut(const std::string& contact);

  static std::string recipientPrefix(const std::string& campaign, int run);

 private:
  std::shared_ptr<sdk::TenantStorage> storage_;
  std::string ns_;
};

}  // namespace switchboard::campaigns
