#include "daemon/daemon.hpp"

#include <chrono>
#include <filesystem>
#include <future>
#include <mutex>
#include <set>
#include <stdexcept>
#include <iostream>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "admin/admin_api.hpp"
#include "admin/plugin_directory.hpp"
#include "admin/tenant_runtime.hpp"
#include "admin/token_store.hpp"
#include "cluster/cluster_admin.hpp"
#include "cluster/cluster_config.hpp"
#include "cluster/ownership_coordinator.hpp"
#include "cluster/plugin_account_runner.hpp"
#include "common/logging.hpp"
#include "common/metrics.hpp"
#include "config/config_file.hpp"
#include "config/daemon_config.hpp"
#include "daemon/systemd_notifier.hpp"
#include "kafka/envelope.hpp"
#include "kafka/kafka_bridge.hpp"
#include "kafka/kafka_config.hpp"
#include "pipeline/pipeline.hpp"
#include "plugin/plugin_catalog.hpp"
#include "plugin/plugin_manager.hpp"
#include "plugin/tenant_instances.hpp"
#include "kafka/rdkafka_util.hpp"
#include "storage/account_fence.hpp"
#include "storage/sql_store.hpp"
#include "storage/storage_config.hpp"
#include "storage/tenant_lifecycle.hpp"

namespace switchboard::host {
namespace {

ConfigFile makeConfigFile() {
  ConfigFile file;
  file.addSection("daemon", daemonConfigSchema());
  file.addSection("storage", storageConfigSchema());
  file.addSection("kafka", kafkaConfigSchema());
  file.addSection("pipeline", pipelineConfigSchema());
  file.addSection("admin", adminConfigSchema());
  file.addSection("cluster", cluster::clusterConfigSchema());
  return file;
}

std::string pluginDirFor(const DaemonOptions& options, const LoadedConfig& config) {
  if (options.pluginDir) {
    return *options.pluginDir;
  }
  const auto& fromFile = config.section("daemon")["plugin_dir"].asString();
  return fromFile.empty() ? options.builtinPluginDir : fromFile;
}

std::optional<LoadedConfig> loadConfig(const DaemonOptions& options, PluginCatalog& catalog, ConfigErrors& errors) {
  return makeConfigFile().load(
      options.configPath,
      [&](const std::string& library) -> sdk::Result<sdk::ConfigSchema> {
        auto lib = catalog.resolve(library);
        if (!lib.ok()) {
          return lib.takeError();
        }
        try {
          return lib.value()->factory().configSchema();
        } catch (const std::exception& e) {
          return sdk::Error::permanent("plugin.schema", "plugin " + library + " threw while declaring its schema: " +
                                                            e.what());
        }
      },
      errors, [&](const LoadedConfig& sections) { catalog.setDirectory(pluginDirFor(options, sections)); });
}

spdlog::level::level_enum logLevelFor(const DaemonOptions& options, const LoadedConfig& config) {
  spdlog::level::level_enum level = spdlog::level::info;
  parseLogLevel(options.logLevel.value_or(config.section("daemon")["log_level"].asString()), level);
  return level;
}

// Records are stored in the deployment's wire format, so the relay produces them as they are.
RecordEncoder kafkaEncoder(Format format) {
  return {[format](const sdk::InboundMessage& m) { return inboundRecord(m, format); },
          [format](const sdk::Event& e) { return eventRecord(e, format); },
          [format](const sdk::CommandResult& r) { return resultRecord(r, format); }};
}

// Scale-out settings; a cluster without PostgreSQL or with an embedded broker is a config error.
sdk::Result<cluster::ClusterSettings> clusterSettingsOf(const LoadedConfig& config) {
  return cluster::clusterSettings(config.section("cluster"), config.section("daemon")["instance_id"].asString(),
                                  config.section("storage")["url"].asString(),
                                  config.section("kafka")["embedded"].asBool(true));
}

}  // namespace

int checkConfig(const DaemonOptions& options) {
  PluginCatalog catalog(options.builtinPluginDir);
  ConfigErrors errors;
  auto config = loadConfig(options, catalog, errors);
  if (!config) {
    std::cerr << describe(errors);
    std::cerr << options.configPath << ": " << errors.size() << " problem" << (errors.size() == 1 ? "" : "s")
              << "; nothing was started\n";
    return kExitConfig;
  }
  if (auto c = clusterSettingsOf(*config); !c.ok()) {
    std::cerr << options.configPath << ": " << c.error().message << "\n";
    return kExitConfig;
  }
  std::cout << options.configPath << ": configuration is valid (" << config->plugins.size() << " plugin"
            << (config->plugins.size() == 1 ? "" : "s") << ")\n";
  return kExitOk;
}

int runDaemon(const DaemonOptions& options) {
  initLogging(spdlog::level::info);
  auto log = componentLogger("daemon");
  PluginCatalog catalog(options.builtinPluginDir);
  ConfigErrors errors;
  auto config = loadConfig(options, catalog, errors);
  if (!config) {
    for (const auto& e : errors) {
      log->critical("{}", e.describe());
    }
    log->critical("configuration rejected ({} problems); nothing was started", errors.size());
    return kExitConfig;
  }
  initLogging(logLevelFor(options, *config));
  const auto& daemonSection = config->section("daemon");
  const auto shutdownDeadline = daemonSection["shutdown_deadline"].asDuration();
  log->info("starting switchboardd config={} plugin_dir={}", options.configPath, catalog.directory());

  auto clusterConfig = clusterSettingsOf(*config);
  if (!clusterConfig.ok()) {
    log->critical("{}: {}; nothing was started", options.configPath, clusterConfig.error().message);
    return kExitConfig;
  }
  // Scale-out: account writes are fenced by the generation this daemon took each account over with.
  std::shared_ptr<storage::AccountFence> fence;
  if (clusterConfig->enabled) {
    fence = std::make_shared<storage::AccountFence>(clusterConfig->instanceId);
  }
  auto store = openStore(config->section("storage"), fence);
  if (!store.ok()) {
    log->critical("storage could not be opened: {}", store.error().describe());
    return kExitFailure;
  }

  boost::asio::io_context io;
  auto work = boost::asio::make_work_guard(io);
  MetricsRegistry metrics;
  LocalEventBus bus;
  Pipeline pipeline(io, PipelineSettings::fromConfig(config->section("pipeline")), store.value(), bus, metrics,
                    kafkaEncoder(parseFormat(config->section("kafka")["format"].asString())));
  KafkaBridge kafka(config->section("kafka"), store.value(), pipeline, metrics);
  // Tenants are suspended, resumed and deleted through one lifecycle, from the admin API and from
  // Kafka `control` alike; its runtime (instances, accounts) is attached once the plugins run.
  auto tenancy = Tenancy::of(store.value());
  std::shared_ptr<TenantLifecycle> tenantLifecycle;
  if (tenancy.ok()) {
    tenantLifecycle = std::make_shared<TenantLifecycle>(store.value(), tenancy.value(), &bus);
    kafka.setTenantLifecycle(tenantLifecycle);
  }
  pipeline.onOutboxWritten([&kafka] { kafka.notifyOutbox(); });
  pipeline.refuseWhile([&kafka] { return kafka.outboxOverLimit(); });

  HostServices services{io, metrics, store.value(), bus, pipeline, pipeline,
                        daemonSection["state_dir"].asString()};
  services.accountsPlacedByHost = clusterConfig->enabled;
  PluginManager plugins(services, catalog);
  pipeline.attachPlugins(plugins);
  // Every apply of the configuration holds a suspended tenant's own instances stopped.
  TenantInstances tenantInstances(plugins, [&tenancy, log] {
    std::set<std::string> suspended;
    if (!tenancy.ok()) {
      return suspended;
    }
    auto all = tenancy.value()->list();
    if (!all.ok()) {
      log->warn("tenant states unreadable; tenant instances run as configured: {}", all.error().describe());
      return suspended;
    }
    for (const auto& t : all.value()) {
      if (t.state == kTenantSuspended) {
        suspended.insert(t.id);
      }
    }
    return suspended;
  });

  const auto threads = static_cast<std::size_t>(daemonSection["threads"].asInt(2));
  std::vector<std::thread> pool;
  for (std::size_t i = 0; i < threads; ++i) {
    pool.emplace_back([&io] { io.run(); });
  }
  auto joinPool = [&] {
    work.reset();
    io.stop();
    for (auto& t : pool) {
      t.join();
    }
  };

  pipeline.holdCommandsWhileConnectorsStart(true);
  // Scale-out: the relay produces only the outbox rows of the partitions the group gives this
  // daemon (none until it has joined).
  std::shared_ptr<cluster::PartitionOutboxScope> outboxScope;
  if (clusterConfig->enabled) {
    outboxScope = cluster::PartitionOutboxScope::forCluster(*clusterConfig);
    kafka.setOutboxScope(outboxScope);
  }
  if (auto s = kafka.start(); !s.ok()) {
    log->critical("Kafka bridge could not start: {}", s.error().describe());
    joinPool();
    return kExitFailure;
  }
  pipeline.start();
  // Scale-out: built before the admin API (which shows it), started once the plugins run.
  std::unique_ptr<cluster::PluginAccountRunner> accountRunner;
  std::unique_ptr<cluster::OwnershipCoordinator> ownership;
  std::unique_ptr<cluster::CoordinatorClusterService> clusterService;
  if (clusterConfig->enabled) {
    auto* sql = dynamic_cast<storage::SqlStore*>(store.value().get());
    if (sql == nullptr) {
      throw std::logic_error("openStore returned a store that is not the SQL store");
    }
    accountRunner = std::make_unique<cluster::PluginAccountRunner>(plugins, store.value());
    const auto& ks = kafka.settings();
    ownership = std::make_unique<cluster::OwnershipCoordinator>(
        *clusterConfig, clientProperties(ks, kafka.bootstrapServers(), RD_KAFKA_CONSUMER),
        clientProperties(ks, kafka.bootstrapServers(), RD_KAFKA_PRODUCER), ks.topicName(topic::kControl), sql->db(),
        *fence, *accountRunner, metrics);
    ownership->attachOutbox(outboxScope, [&kafka](std::chrono::steady_clock::time_point until) {
      return kafka.settleOutbox(until);
    });
    ownership->attachDeadLetters([db = store.value(), &kafka](const DeadLetterSource& source,
                                     const sdk::Error& error) -> sdk::Status {
      SB_TRY(db->enqueue({deadLetterRecord(source, error, "control")}));
      kafka.notifyOutbox();
      return sdk::okStatus();
    });
    clusterService = std::make_unique<cluster::CoordinatorClusterService>(*ownership, sql->db());
    // A command for an account of the deployment that does not run here waits in the shared
    // database for the sweep of the daemon that runs it.
    pipeline.commandsMayRunElsewhere([db = store.value()](const sdk::OutboundCommand& c) {
      auto account = db->getAccount(c.account);
      return account.ok() && account.value() && account.value()->tenant == c.tenant &&
             account.value()->state != "logged_out";
    });
  }
  // The admin API reads the plugin list of the configuration in force; SIGHUP replaces it.
  std::mutex specsMutex;
  std::vector<PluginSpec> currentSpecs = config->plugins;
  admin::DaemonPluginDirectory pluginDirectory(plugins, catalog, [&] {
    std::lock_guard lock(specsMutex);
    return currentSpecs;
  });
  admin::DaemonTenantRuntime tenantRuntime(&pluginDirectory, store.value(), &tenantInstances);
  std::unique_ptr<admin::AdminApi> adminApi;
  if (auto adminSettings = admin::AdminSettings::fromConfig(config->section("admin")); adminSettings.enabled) {
    admin::AdminServices adminServices{store.value(), &pipeline, &bus, &metrics, &pluginDirectory, [&kafka] {
                                         const bool over = kafka.outboxOverLimit();
                                         return admin::ComponentHealth{
                                             !over, over ? "the outbox is over kafka.outbox_limit" : "producing to " +
                                                                                                        kafka.bootstrapServers()};
                                       },
                                       services.httpRoutes};
    adminServices.announcer = &pipeline;  // contact changes go to the bus and Kafka `events`
    adminServices.cluster = clusterService.get();
    adminServices.tenants = tenantLifecycle.get();
    adminApi = std::make_unique<admin::AdminApi>(adminSettings, adminServices);
    if (auto s = adminApi->start(io.get_executor()); !s.ok()) {
      log->critical("admin API could not start: {}", s.error().describe());
      adminApi.reset();
      plugins.stopAll(shutdownDeadline);
      pipeline.drain(std::chrono::steady_clock::now() + shutdownDeadline);
      kafka.stop(shutdownDeadline);
      joinPool();
      return kExitFailure;
    }
  }

  // Plugins start after the admin API, so it sees their first session events (QR codes).
  auto report = tenantInstances.apply(config->plugins, shutdownDeadline);
  pipeline.holdCommandsWhileConnectorsStart(false);
  if (tenantLifecycle) {
    tenantLifecycle->setRuntime(&tenantRuntime);
  }
  if (!report.failed.empty()) {
    log->error("{} plugin instance(s) failed to start; see above", report.failed.size());
  }
  // Scale-out: the consumer group on `control` decides which accounts the connectors run here.
  if (ownership) {
    if (auto s = ownership->start(); !s.ok()) {
      log->critical("cannot join the daemons' group: {}", s.error().describe());
      if (adminApi) {
        adminApi->stop();
      }
      ownership.reset();
      plugins.stopAll(shutdownDeadline);
      pipeline.drain(std::chrono::steady_clock::now() + shutdownDeadline);
      kafka.stop(shutdownDeadline);
      joinPool();
      return kExitFailure;
    }
  }

  SystemdNotifier notifier(io);
  notifier.startWatchdog();
  notifier.ready("running, " + std::to_string(report.started.size()) + " plugins, Kafka at " +
                 kafka.bootstrapServers());
  log->info("ready plugins={} kafka={}", report.started.size(), kafka.bootstrapServers());

  boost::asio::signal_set signals(io, SIGTERM, SIGINT, SIGHUP);
  std::promise<int> stopSignal;
  std::function<void(const boost::system::error_code&, int)> onSignal;
  onSignal = [&](const boost::system::error_code& ec, int signo) {
    if (ec) {
      return;
    }
    if (signo != SIGHUP) {
      log->info("received {}, shutting down within {} ms", signo == SIGTERM ? "SIGTERM" : "SIGINT",
                shutdownDeadline.count());
      stopSignal.set_value(signo);
      // Keep catching: a second SIGTERM while draining must not kill the process mid-commit.
      signals.async_wait([&](const boost::system::error_code& e2, int s2) {
        if (!e2) {
          log->warn("received signal {} while shutting down; still draining", s2);
        }
      });
      return;
    }
    // Reload on a separate thread: stopping and starting plugins waits on their strands.
    std::thread([&] {
      notifier.reloading();
      log->info("SIGHUP: reloading {}", options.configPath);
      ConfigErrors reloadErrors;
      auto next = loadConfig(options, catalog, reloadErrors);
      if (!next) {
        for (const auto& e : reloadErrors) {
          log->error("{}", e.describe());
        }
        log->error("reload rejected ({} problems); the running configuration stays", reloadErrors.size());
      } else {
        for (const auto* name : {"storage", "kafka", "pipeline"}) {
          if (!(next->section(name) == config->section(name))) {
            log->warn("reload: section {} changed; it takes effect at the next restart", name);
          }
        }
        initLogging(logLevelFor(options, *next));
        auto r = tenantInstances.apply(next->plugins, shutdownDeadline);
        {
          std::lock_guard lock(specsMutex);
          currentSpecs = next->plugins;
        }
        log->info("reload done started={} restarted={} stopped={} unchanged={} failed={}", r.started.size(),
                  r.restarted.size(), r.stopped.size(), r.unchanged.size(), r.failed.size());
        for (const auto& name : r.restarted) {
          log->info("reload: restarted plugin {}", name);
        }
        config = std::move(next);
      }
      notifier.ready("running");
    }).detach();
    signals.async_wait(onSignal);
  };
  signals.async_wait(onSignal);

  stopSignal.get_future().wait();
  const auto stopStarted = std::chrono::steady_clock::now();
  notifier.stopping();
  if (adminApi) {
    adminApi->stop();  // first: no operator request may start work while the rest shuts down
  }
  const auto deadline = std::chrono::steady_clock::now() + shutdownDeadline;
  auto remaining = [&] {
    return std::max(std::chrono::milliseconds(1), std::chrono::duration_cast<std::chrono::milliseconds>(
                                                      deadline - std::chrono::steady_clock::now()));
  };
  if (ownership) {
    ownership->stop();  // accounts released and the group left first: the others take over at once
  }
  if (tenantLifecycle) {
    tenantLifecycle->setRuntime(nullptr);  // a `control` request from here on changes the database only
  }
  plugins.stopAll(remaining());
  const bool drained = pipeline.drain(deadline);
  kafka.stop(remaining());
  notifier.stopWatchdog();
  signals.cancel();
  joinPool();
  if (!drained) {
    log->warn("shutdown deadline passed with unstored messages; they were not acked and will be redelivered");
  }
  log->info("stopped in {} ms (deadline {} ms)",
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - stopStarted).count(),
            shutdownDeadline.count());
  return kExitOk;
}

int createToken(const DaemonOptions& options, const std::string& name, const std::string& role,
                const std::string& tenant) {
  initLogging(spdlog::level::warn);
  auto parsedRole = admin::parseRole(role);
  if (!parsedRole) {
    std::cerr << "switchboardd: --role: unknown role \"" << role << "\"; allowed: admin, operator, read-only\n";
    return kExitConfig;
  }
  PluginCatalog catalog(options.builtinPluginDir);
  ConfigErrors errors;
  auto config = loadConfig(options, catalog, errors);
  if (!config) {
    std::cerr << describe(errors);
    return kExitConfig;
  }
  auto store = openStore(config->section("storage"));
  if (!store.ok()) {
    std::cerr << "switchboardd: storage could not be opened: " << store.error().describe() << "\n";
    return kExitFailure;
  }
  admin::TokenStore tokens(store.value());
  auto made = tokens.create(name, *parsedRole, tenant);
  if (!made.ok()) {
    std::cerr << "switchboardd: " << made.error().message << "\n";
    return made.error().code == "invalid" || made.error().code == "token.exists" ? kExitConfig : kExitFailure;
  }
  AuditEntry audit;
  audit.tenant = tenant.empty() ? sdk::kDefaultTenant : tenant;
  audit.actor = "switchboardd --create-token";
  audit.action = "token.create";
  audit.subject = name;
  audit.detail = "role=" + role + (tenant.empty() ? "" : " tenant=" + tenant);
  audit.atMs = made->second.createdAtMs;
  (void)store.value()->appendAudit(audit);
  std::cout << made->first << "\n";
  std::cerr << "token \"" << name << "\" (" << role << (tenant.empty() ? ", every tenant" : ", tenant " + tenant)
            << ") created; it is shown only now. For admin.tokens_file instead: " << name << " " << role << " "
            << (tenant.empty() ? "*" : tenant) << " " << made->second.hashHex << "\n";
  return kExitOk;
}

}  // namespace switchboard::host
