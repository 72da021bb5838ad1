#include "cluster/plugin_account_runner.hpp"

#include <boost/asio/post.hpp>

#include <future>

#include "storage/account_quota.hpp"
#include "switchboard/sdk/account_placement.hpp"
#include "switchboard/sdk/session_control.hpp"

namespace switchboard::host::cluster {

namespace {

// Run and add return promptly (connecting goes on in the background); this bounds a stuck strand.
constexpr std::chrono::milliseconds kCallDeadline{10'000};

}  // namespace

sdk::Result<std::vector<KnownAccount>> PluginAccountRunner::accounts() {
  auto rows = store_->listAccounts(std::nullopt);
  SB_TRY(rows);
  std::vector<KnownAccount> out;
  for (const auto& r : rows.value()) {
    if (r.state != "logged_out") {
      out.push_back({r.tenant, r.id});
    }
  }
  return out;
}

sdk::Status PluginAccountRunner::onEachPlacement(const std::function<sdk::Status(sdk::Plugin&)>& call,
                                                 std::chrono::milliseconds deadline) {
  std::vector<std::future<sdk::Status>> waits;
  for (const auto& inst : plugins_.instances()) {
    if (inst->plugin() == nullptr || sdk::accountPlacementOf(inst->plugin()) == nullptr) {
      continue;
    }
    auto done = std::make_shared<std::promise<sdk::Status>>();
    waits.push_back(done->get_future());
    // The instance is held until the call ran, so a reload cannot destroy the plugin under it.
    boost::asio::post(inst->context()->strand(), [inst, call, done] {
      try {
        done->set_value(call(*inst->plugin()));
      } catch (const std::exception& e) {
        done->set_value(sdk::Error::permanent("plugin.error", "plugin \"" + inst->spec().name + "\" threw " + e.what()));
      }
    });
  }
  if (waits.empty()) {
    return sdk::Error::permanent("cluster.no_connector", "no running plugin offers account placement");
  }
  sdk::Status first = sdk::okStatus();
  const auto end = std::chrono::steady_clock::now() + deadline;
  for (auto& w : waits) {
    if (w.wait_until(end) != std::future_status::ready) {
      first = sdk::Error::retriable("plugin.timeout", "a connector did not answer within " +
                                                          std::to_string(deadline.count()) + " ms");
      continue;
    }
    auto s = w.get();
    if (!s.ok() && first.ok()) {
      first = s;
    }
  }
  return first;
}

sdk::Status PluginAccountRunner::run(const KnownAccount& a) {
  return onEachPlacement(
      [a](sdk::Plugin& p) { return sdk::accountPlacementOf(&p)->runAccount(a.tenant, a.account); }, kCallDeadline);
}

sdk::Status PluginAccountRunner::release(const KnownAccount& a, std::chrono::milliseconds deadline) {
  return onEachPlacement(
      [a, deadline](sdk::Plugin& p) { return sdk::accountPlacementOf(&p)->releaseAccount(a.tenant, a.account, deadline); },
      deadline + std::chrono::seconds(1));
}

sdk::Status PluginAccountRunner::admit(const KnownAccount& a) {
  // Kafka `control` add passes the tenant's accounts quota like every other way of adding one.
  return admitAccount(store_, a.tenant, a.account);
}

sdk::Status PluginAccountRunner::add(const KnownAccount& a, const std::string& name) {
  return onEachPlacement(
      [a, name](sdk::Plugin& p) -> sdk::Status {
        auto* control = sdk::sessionControlOf(&p);
        if (control == nullptr) {
          return sdk::accountPlacementOf(&p)->runAccount(a.tenant, a.account);
        }
        auto created = control->createSession(a.tenant, a.account, name);
        SB_TRY(created);
        return sdk::okStatus();
      },
      kCallDeadline);
}

sdk::Status PluginAccountRunner::remove(const KnownAccount& a) {
  return onEachPlacement(
      [a](sdk::Plugin& p) -> sdk::Status {
        auto* control = sdk::sessionControlOf(&p);
        return control == nullptr ? sdk::okStatus() : control->logout(a.tenant, a.account);
      },
      kCallDeadline);
}

}  // namespace switchboard::host::cluster
