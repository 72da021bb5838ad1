#include "simulator/simulator.hpp"

#include "simulator/load.hpp"
#include "simulator/server.hpp"

namespace switchboard::wasim {

Simulator::Simulator(std::shared_ptr<Server> server, boost::asio::any_io_executor executor)
    : server_(std::move(server)), loads_(std::make_shared<LoadRegistry>(std::move(executor), server_)) {}

Simulator::~Simulator() { stop(); }

sdk::Result<std::unique_ptr<Simulator>> Simulator::start(boost::asio::any_io_executor executor,
                                                         SimulatorOptions options) {
  auto server = Server::start(executor, std::move(options));
  if (!server) {
    return server.takeError();
  }
  return std::unique_ptr<Simulator>(new Simulator(std::move(*server), std::move(executor)));
}

void Simulator::stop() {
  loads_->stopAll();
  server_->stop();
}
std::uint16_t Simulator::port() const { return server_->port(); }
std::string Simulator::webSocketUrl() const {
  return "ws://" + server_->options().listenAddress + ":" + std::to_string(port()) + "/ws/chat";
}
whatsapp::Key32 Simulator::rootPublicKey() const { return server_->rootPublicKey(); }
std::string Simulator::mediaHost() const { return server_->mediaHost(); }
std::string Simulator::mediaCaPem() const { return server_->mediaCaPem(); }

sdk::Result<AccountInfo> Simulator::createAccount(std::string_view phone, std::string_view pushName) {
  return server_->createAccount(phone, pushName);
}
sdk::Result<AccountInfo> Simulator::account(std::string_view phone) const { return server_->accountInfo(phone); }
std::vector<AccountInfo> Simulator::accounts() const { return server_->accountInfos(); }
sdk::Result<std::vector<DeviceInfo>> Simulator::devices(std::string_view phone) const {
  return server_->deviceInfos(phone);
}
sdk::Result<DeviceInfo> Simulator::linkDevice(std::string_view phone, const DirectLink& link) {
  return server_->linkDevice(phone, link);
}
sdk::Status Simulator::unlinkDevice(std::string_view phone, std::uint16_t device) {
  return server_->unlinkDevice(phone, device);
}
std::vector<PendingPairing> Simulator::pendingPairings() const { return server_->pendingPairings(); }
sdk::Status Simulator::scanQr(std::string_view phone, std::string_view qr) { return server_->scanQr(phone, qr); }
sdk::Status Simulator::confirmPairingCode(std::string_view phone, std::string_view code) {
  return server_->confirmPairingCode(phone, code);
}
sdk::Result<std::vector<PhoneMessage>> Simulator::phoneInbox(std::string_view phone) const {
  return server_->phoneInbox(phone);
}
sdk::Result<std::string> Simulator::phoneSendText(std::string_view phone, std::string_view to, std::string_view text) {
  return server_->phoneSendText(phone, to, text);
}
sdk::Result<std::string> Simulator::createGroup(std::string_view creator, std::string_view subject,
                                                const std::vector<std::string>& members) {
  return server_->createGroup(creator, subject, members);
}
sdk::Status Simulator::changeGroupMembers(std::string_view actor, std::string_view group, std::string_view action,
                                          const std::vector<std::string>& phones) {
  return server_->changeGroupMembers(actor, group, action, phones);
}
sdk::Status Simulator::injectFault(std::string_view phone, std::uint16_t device, StreamFault fault) {
  return server_->injectFault(phone, device, std::move(fault));
}
sdk::Status Simulator::setSendDelay(std::string_view phone, std::uint16_t device, std::chrono::milliseconds delay) {
  return server_->setSendDelay(phone, device, delay);
}
sdk::Status Simulator::failNextLogin(std::string_view phone, std::uint16_t device, int reason) {
  return server_->failNextLogin(phone, device, reason);
}
void Simulator::onEvent(std::function<void(const SimEvent&)> handler) { server_->onEvent(std::move(handler)); }

sdk::Result<std::uint64_t> Simulator::startLoad(LoadSpec spec) { return loads_->start(std::move(spec)); }
sdk::Result<LoadStatus> Simulator::loadStatus(std::uint64_t id) const { return loads_->status(id); }
sdk::Status Simulator::stopLoad(std::uint64_t id) { return loads_->stop(id); }

}  // namespace switchboard::wasim
