#include "plugin/plugin_context.hpp"

#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string_view>

#include <boost/asio/post.hpp>

#include "plugin/tenant_scope.hpp"

namespace switchboard::host {
namespace {

// The bus as a plugin sees it: handlers run on the plugin's strand, and each queued call keeps the
// plugin's library loaded until it has run.
class StrandEventBus final : public sdk::EventBus {
 public:
  StrandEventBus(sdk::EventBus& bus, PluginContextImpl::Strand strand, PluginLibraryPtr library)
      : bus_(bus), strand_(std::move(strand)), library_(std::move(library)) {}

  std::unique_ptr<Subscription> subscribe(const std::string& typePrefix,
                                          std::function<void(const sdk::Event&)> handler) override {
    auto shared = std::make_shared<std::function<void(const sdk::Event&)>>(std::move(handler));
    auto alive = std::make_shared<std::atomic<bool>>(true);
    auto inner = bus_.subscribe(typePrefix, [strand = strand_, shared, alive, lib = library_](const sdk::Event& e) {
      boost::asio::post(strand, [shared, alive, lib, e] {
        if (alive->load()) {
          (*shared)(e);
        }
      });
    });
    return std::make_unique<Handle>(std::move(inner), alive);
  }
  void publish(const sdk::Event& event) override { bus_.publish(event); }

 private:
  struct Handle final : Subscription {
    Handle(std::unique_ptr<Subscription> inner, std::shared_ptr<std::atomic<bool>> alive)
        : inner_(std::move(inner)), alive_(std::move(alive)) {}
    ~Handle() override { alive_->store(false); }
    std::unique_ptr<Subscription> inner_;
    std::shared_ptr<std::atomic<bool>> alive_;
  };
  sdk::EventBus& bus_;
  PluginContextImpl::Strand strand_;
  PluginLibraryPtr library_;
};

// Binary-safe text for plugin_state values (a TEXT column on both backends).
std::string toHex(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 0x0f];
  }
  return out;
}

std::optional<std::string> fromHex(std::string_view text) {
  if (text.size() % 2 != 0) {
    return std::nullopt;
  }
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size() / 2);
  for (std::size_t i = 0; i < text.size(); i += 2) {
    int hi = nibble(text[i]), lo = nibble(text[i + 1]);
    if (hi < 0 || lo < 0) {
      return std::nullopt;
    }
    out += static_cast<char>((hi << 4) | lo);
  }
  return out;
}

SignalWrite::Table hostTable(sdk::SignalTable t) {
  switch (t) {
    case sdk::SignalTable::Identity: return SignalWrite::Table::Identity;
    case sdk::SignalTable::Session: return SignalWrite::Table::Session;
    case sdk::SignalTable::PreKey: return SignalWrite::Table::PreKey;
    case sdk::SignalTable::SignedPreKey: return SignalWrite::Table::SignedPreKey;
    case sdk::SignalTable::SenderKey: return SignalWrite::Table::SenderKey;
  }
  return SignalWrite::Table::Session;
}

// Sent messages and account membership live in the account's tenant's plugin_state, under the
// instance's namespace:
//   account/<id>                          -> ""                       (this instance runs it)
//   sent/<account>/id/<network id>        -> "<ms> <hex chat> <hex payload> <hex command id>"
//   sent/<account>/t/<ms, 15 digits>/<id> -> ""                       (age index for pruning)
//
// An instance scoped to a tenant (`tenants.<id>.plugins`) runs only that tenant's accounts: it lists
// only them, records new ones under its tenant, and is refused another tenant's keys.
class StoreConnectorStorage final : public sdk::ConnectorStorage {
 public:
  StoreConnectorStorage(std::shared_ptr<Store> store, std::string instance, std::string tenant)
      : store_(std::move(store)), ns_("connector:" + std::move(instance)), scope_(std::move(tenant)) {}

  sdk::Result<std::optional<std::string>> loadCredentials(const sdk::AccountId& account) override {
    SB_TRY(checkScope(account));
    return store_->loadDeviceCredentials(account);
  }
  sdk::Status saveCredentials(const sdk::AccountId& account, const std::string& credentials) override {
    SB_TRY(checkScope(account));
    return store_->saveDeviceCredentials(account, credentials);
  }
  sdk::Status deleteCredentials(const sdk::AccountId& account) override {
    SB_TRY(checkScope(account));
    return store_->deleteAccountSecrets(account);
  }

  sdk::Result<std::optional<std::string>> getSignal(const sdk::AccountId& account, sdk::SignalTable table,
                                                    const std::string& key) override {
    SB_TRY(checkScope(account));
    return store_->readSignal(hostTable(table), account, key);
  }
  sdk::Status putSignal(const sdk::AccountId& account, const std::vector<sdk::SignalRecordWrite>& writes) override {
    SB_TRY(checkScope(account));
    std::vector<SignalWrite> out;
    out.reserve(writes.size());
    for (const auto& w : writes) {
      out.push_back({hostTable(w.table), account, w.key, w.value});
    }
    return store_->writeSignal(out);
  }
  sdk::Status removeSignal(const sdk::AccountId& account, sdk::SignalTable table, const std::string& key) override {
    SB_TRY(checkScope(account));
    return store_->writeSignal({{hostTable(table), account, key, std::nullopt}});
  }

  sdk::Result<std::vector<sdk::ConnectorAccount>> accounts() override {
    auto tenants = store_->listTenants();
    SB_TRY(tenants);
    std::vector<sdk::ConnectorAccount> out;
    for (const auto& t : tenants.value()) {
      if (!scope_.empty() && t.id != scope_) {
        continue;
      }
      auto storage = store_->tenant(t.id);
      auto rows = storage->scanState(ns_, "account/", 1'000'000);
      SB_TRY(rows);
      for (const auto& [key, unused] : rows.value()) {
        auto record = store_->getAccount(key.substr(std::string_view("account/").size()));
        SB_TRY(record);
        if (!record.value()) {
          continue;  // removed from the host's table behind our back
        }
        const auto& r = *record.value();
        out.push_back({r.id, r.tenant, r.jid, r.name, r.state});
      }
    }
    return out;
  }

  sdk::Status putAccount(const sdk::ConnectorAccount& account) override {
    AccountRecord record;
    record.id = account.id;
    record.tenant = account.tenant.empty() ? sdk::kDefaultTenant : account.tenant;
    if (!scope_.empty()) {
      record.tenant = scopedTenant(scope_, record.tenant);
      if (record.tenant.empty()) {
        return sdk::Error::permanent("tenant.mismatch", "account \"" + account.id + "\" names tenant \"" +
                                                            account.tenant + "\"; this connector serves only \"" +
                                                            scope_ + "\"");
      }
    }
    record.jid = account.jid;
    record.name = account.name;
    record.state = account.state.empty() ? "new" : account.state;
    SB_TRY(store_->upsertAccount(record));
    {
      std::lock_guard lock(mutex_);
      tenants_[record.id] = record.tenant;
    }
    return store_->tenant(record.tenant)->putState(ns_, "account/" + record.id, "");
  }

  sdk::Status saveSent(const sdk::AccountId& account, const sdk::SentMessage& m) override {
    auto storage = storageFor(account);
    SB_TRY(storage);
    auto& s = *storage.value();
    SB_TRY(s.putState(ns_, sentKey(account, m.networkId),
                      std::to_string(m.sentAt) + " " + toHex(m.chat) + " " + toHex(m.payload) + " " +
                          toHex(m.commandId)));
    return s.putState(ns_, ageKey(account, m.sentAt, m.networkId), "");
  }

  sdk::Result<std::optional<sdk::SentMessage>> findSent(const sdk::AccountId& account,
                                                        const std::string& networkId) override {
    using Out = std::optional<sdk::SentMessage>;
    auto storage = storageFor(account);
    SB_TRY(storage);
    auto value = storage.value()->getState(ns_, sentKey(account, networkId));
    SB_TRY(value);
    if (!value.value()) {
      return Out();
    }
    const std::string& v = *value.value();
    const auto first = v.find(' ');
    const auto second = first == std::string::npos ? std::string::npos : v.find(' ', first + 1);
    const auto third = second == std::string::npos ? std::string::npos : v.find(' ', second + 1);
    std::optional<std::string> chat, payload, command;
    sdk::SentMessage m;
    m.networkId = networkId;
    if (third != std::string::npos) {
      chat = fromHex(std::string_view(v).substr(first + 1, second - first - 1));
      payload = fromHex(std::string_view(v).substr(second + 1, third - second - 1));
      command = fromHex(std::string_view(v).substr(third + 1));
      m.sentAt = std::strtoll(v.c_str(), nullptr, 10);
    }
    if (!chat || !payload || !command) {
      return sdk::Error::permanent("connector_storage.corrupt",
                                   "sent message \"" + networkId + "\" of account \"" + account + "\" is unreadable");
    }
    m.chat = std::move(*chat);
    m.payload = std::move(*payload);
    m.commandId = std::move(*command);
    return Out(std::move(m));
  }

  sdk::Status pruneSent(const sdk::AccountId& account, sdk::TimestampMs before) override {
    auto storage = storageFor(account);
    SB_TRY(storage);
    auto& s = *storage.value();
    const std::string prefix = "sent/" + account + "/t/";
    const std::string limit = ageKey(account, before, "");
    for (;;) {
      auto rows = s.scanState(ns_, prefix, 500);
      SB_TRY(rows);
      std::size_t removed = 0;
      for (const auto& [key, unused] : rows.value()) {
        if (key >= limit) {
          return sdk::okStatus();
        }
        const auto slash = key.find('/', prefix.size());
        if (slash != std::string::npos) {
          SB_TRY(s.deleteState(ns_, sentKey(account, key.substr(slash + 1))));
        }
        SB_TRY(s.deleteState(ns_, key));
        ++removed;
      }
      if (removed < 500) {
        return sdk::okStatus();
      }
    }
  }

  sdk::Result<std::optional<sdk::InboundMessage>> findInboundByCiphertext(const sdk::AccountId& account,
                                                                         const std::string& hash) override {
    return store_->findByCiphertext(account, hash);
  }

  sdk::Result<std::optional<sdk::InboundMessage>> findInboundRedelivery(const sdk::AccountId& account,
                                                                       const std::string& networkId,
                                                                       const std::string& hash) override {
    return store_->findRedelivery(account, networkId, hash);
  }

 private:
  static std::string sentKey(const std::string& account, const std::string& id) {
    return "sent/" + account + "/id/" + id;
  }
  static std::string ageKey(const std::string& account, sdk::TimestampMs at, const std::string& id) {
    std::string ms = std::to_string(std::max<sdk::TimestampMs>(at, 0));
    return "sent/" + account + "/t/" + std::string(ms.size() < 15 ? 15 - ms.size() : 0, '0') + ms + "/" + id;
  }

  // A scoped instance touches only its tenant's accounts. An account not recorded yet passes: its
  // credentials are saved while pairing, before putAccount names its tenant.
  sdk::Status checkScope(const std::string& account) {
    if (scope_.empty()) {
      return sdk::okStatus();
    }
    {
      std::lock_guard lock(mutex_);
      if (auto it = tenants_.find(account); it != tenants_.end()) {
        return it->second == scope_ ? sdk::okStatus() : foreign(account);
      }
    }
    auto record = store_->getAccount(account);
    SB_TRY(record);
    if (!record.value()) {
      return sdk::okStatus();
    }
    std::lock_guard lock(mutex_);
    tenants_[account] = record.value()->tenant;
    return record.value()->tenant == scope_ ? sdk::okStatus() : foreign(account);
  }
  sdk::Error foreign(const std::string& account) const {
    return sdk::Error::permanent("tenant.mismatch",
                                 "account \"" + account + "\" belongs to another tenant than \"" + scope_ + "\"");
  }

  // The tenant whose plugin_state holds the account's rows: the account's own.
  sdk::Result<std::shared_ptr<sdk::TenantStorage>> storageFor(const std::string& account) {
    {
      std::lock_guard lock(mutex_);
      if (auto it = tenants_.find(account); it != tenants_.end()) {
        return store_->tenant(it->second);
      }
    }
    auto record = store_->getAccount(account);
    SB_TRY(record);
    if (!record.value()) {
      return sdk::Error::permanent("connector_storage.unknown_account",
                                   "no account \"" + account + "\": record it with putAccount first");
    }
    std::lock_guard lock(mutex_);
    tenants_[account] = record.value()->tenant;
    if (!scope_.empty() && record.value()->tenant != scope_) {
      return foreign(account);
    }
    return store_->tenant(record.value()->tenant);
  }

  std::shared_ptr<Store> store_;
  const std::string ns_;
  const std::string scope_;  // empty: every tenant
  std::mutex mutex_;
  std::map<std::string, std::string> tenants_;  // account -> tenant (an account never moves)
};

}  // namespace

std::unique_ptr<sdk::ConnectorStorage> makeConnectorStorage(std::shared_ptr<Store> store, std::string instance,
                                                             std::string tenant) {
  return std::make_unique<StoreConnectorStorage>(std::move(store), std::move(instance), std::move(tenant));
}

PluginContextImpl::PluginContextImpl(HostServices& services, std::string instance, sdk::ConfigValue config,
                                     PluginLibraryPtr library, std::string tenant)
    : services_(services),
      instance_(std::move(instance)),
      tenant_(std::move(tenant)),
      config_(std::move(config)),
      logger_(instance_),
      metrics_(services.metrics, instance_),
      strand_(boost::asio::make_strand(services.io)),
      events_(std::make_unique<StrandEventBus>(services.events, strand_, library)),
      connectorStorage_(services.store ? makeConnectorStorage(services.store, instance_, tenant_) : nullptr),
      library_(std::move(library)) {
  if (!tenant_.empty()) {
    events_ = makeTenantEventBus(std::move(events_), tenant_);
    outbound_ = makeTenantOutbound(services.outbound, tenant_);
    inbound_ = makeTenantInboundSink(services.inbound, tenant_);
  }
}

PluginContextImpl::~PluginContextImpl() = default;

std::shared_ptr<sdk::TenantStorage> PluginContextImpl::storage(const sdk::TenantId& tenant) {
  if (!services_.store) {
    return nullptr;
  }
  if (tenant_.empty()) {
    return services_.store->tenant(tenant);
  }
  auto scoped = scopedTenant(tenant_, tenant);
  if (scoped.empty()) {
    logger_.log(sdk::LogLevel::Warn, "storage of tenant \"" + tenant + "\" refused: this instance serves only \"" +
                                         tenant_ + "\"");
    return nullptr;
  }
  return services_.store->tenant(scoped);
}

std::string PluginContextImpl::stateDirectory() const {
  auto dir = std::filesystem::path(services_.stateDir) / "plugins" / instance_;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  return dir.string();
}

sdk::Result<std::shared_ptr<sdk::HttpClient>> PluginContextImpl::httpClient(const sdk::HttpClientOptions& options) {
  return makePluginHttpClient(services_.io.get_executor(), strand_, library_, options);
}

sdk::Result<std::unique_ptr<sdk::HttpRoute>> PluginContextImpl::addHttpRoute(const std::string& name,
                                                                             sdk::HttpRouteHandler handler) {
  if (!services_.httpRoutes) {
    return sdk::Error::permanent("http.unsupported", "this daemon serves no plugin routes");
  }
  return services_.httpRoutes->add(instance_, name, strand_, library_, std::move(handler));
}

}  // namespace switchboard::host
