#include "simulator/control.hpp"

#include "protocol/bytes.hpp"
#include "simulator/base64.hpp"
#include "simulator/server.hpp"

namespace switchboard::wasim {
namespace {

using nlohmann::json;

json errorReply(const sdk::Error& e) {
  return {{"ok", false}, {"error", {{"code", e.code}, {"message", e.message}}}};
}

json errorReply(std::string code, std::string message) {
  return errorReply(sdk::Error::permanent(std::move(code), std::move(message)));
}

json statusReply(const sdk::Status& st) { return st ? json{{"ok", true}} : errorReply(st.error()); }

json accountJson(const AccountInfo& a) {
  return {{"phone", a.phone},
          {"lid", a.lid},
          {"jid", a.phone + "@s.whatsapp.net"},
          {"lidJid", a.lid + "@lid"},
          {"pushName", a.pushName},
          {"identityKey", whatsapp::toHex(a.identityKey)}};
}

json deviceJson(const DeviceInfo& d) {
  return {{"device", d.device}, {"jid", d.jid},         {"lid", d.lid},         {"keyIndex", d.keyIndex},
          {"platform", d.platform}, {"online", d.online}, {"preKeys", d.preKeys}, {"pending", d.pending}};
}

const char* kindName(SimEvent::Kind k) {
  switch (k) {
    case SimEvent::Kind::Connected:
      return "connected";
    case SimEvent::Kind::Disconnected:
      return "disconnected";
    case SimEvent::Kind::Registering:
      return "registering";
    case SimEvent::Kind::Paired:
      return "paired";
    case SimEvent::Kind::PairingFailed:
      return "pairing_failed";
    case SimEvent::Kind::LoginRefused:
      return "login_refused";
    case SimEvent::Kind::MessageRelayed:
      return "message_relayed";
    case SimEvent::Kind::PhoneReceived:
      return "phone_received";
    case SimEvent::Kind::Unlinked:
      return "unlinked";
  }
  return "unknown";
}

/// Reads a string field; nothing when absent or not a string.
std::optional<std::string> str(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) {
    return std::nullopt;
  }
  return it->get<std::string>();
}

std::optional<std::int64_t> num(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) {
    return std::nullopt;
  }
  return it->get<std::int64_t>();
}

}  // namespace

json eventToJson(const SimEvent& e) {
  json j{{"event", kindName(e.kind)}};
  if (!e.phone.empty()) {
    j["phone"] = e.phone;
  }
  if (e.device != 0 || !e.phone.empty()) {
    j["device"] = e.device;
  }
  if (e.connection != 0) {
    j["connection"] = e.connection;
  }
  if (!e.detail.empty()) {
    j["detail"] = e.detail;
  }
  return j;
}

json runControlCommand(Simulator& sim, const json& request) {
  if (!request.is_object()) {
    return errorReply("wasim.bad_request", "a command is a JSON object");
  }
  auto cmd = str(request, "cmd").value_or("");
  auto phone = str(request, "phone");
  auto device = num(request, "device");
  auto needPhone = [&]() -> std::optional<json> {
    if (!phone) {
      return errorReply("wasim.bad_request", "\"" + cmd + "\" needs \"phone\" (a string of digits)");
    }
    return std::nullopt;
  };
  auto needDevice = [&]() -> std::optional<json> {
    if (auto e = needPhone()) {
      return e;
    }
    if (!device || *device < 1 || *device > 255) {
      return errorReply("wasim.bad_request", "\"" + cmd + "\" needs \"device\" (1..255)");
    }
    return std::nullopt;
  };

  if (cmd == "info") {
    return {{"ok", true},
            {"port", sim.port()},
            {"url", sim.webSocketUrl()},
            {"rootKey", whatsapp::toHex(sim.rootPublicKey())},
            {"rootKeyBase64", toBase64(sim.rootPublicKey())}};
  }
  if (cmd == "create_account") {
    if (auto e = needPhone()) {
      return *e;
    }
    auto a = sim.createAccount(*phone, str(request, "name").value_or(""));
    return a ? json{{"ok", true}, {"account", accountJson(*a)}} : errorReply(a.error());
  }
  if (cmd == "accounts") {
    json list = json::array();
    for (const auto& a : sim.accounts()) {
      list.push_back(accountJson(a));
    }
    return {{"ok", true}, {"accounts", std::move(list)}};
  }
  if (cmd == "devices") {
    if (auto e = needPhone()) {
      return *e;
    }
    auto devices = sim.devices(*phone);
    if (!devices) {
      return errorReply(devices.error());
    }
    json list = json::array();
    for (const auto& d : *devices) {
      list.push_back(deviceJson(d));
    }
    return {{"ok", true}, {"devices", std::move(list)}};
  }
  if (cmd == "pending") {
    json list = json::array();
    for (const auto& p : sim.pendingPairings()) {
      list.push_back({{"connection", p.connection},
                      {"ref", p.currentRef},
                      {"noiseKey", toBase64(p.noiseKey)},
                      {"identityKey", toBase64(p.identityKey)},
                      {"codePhone", p.linkCodePhone}});
    }
    return {{"ok", true}, {"pending", std::move(list)}};
  }
  if (cmd == "scan") {
    if (auto e = needPhone()) {
      return *e;
    }
    auto qr = str(request, "qr");
    if (!qr) {
      return errorReply("wasim.bad_request", "\"scan\" needs \"qr\" (the QR code text)");
    }
    return statusReply(sim.scanQr(*phone, *qr));
  }
  if (cmd == "pair_code") {
    if (auto e = needPhone()) {
      return *e;
    }
    auto code = str(request, "code");
    if (!code) {
      return errorReply("wasim.bad_request", "\"pair_code\" needs \"code\"");
    }
    return statusReply(sim.confirmPairingCode(*phone, *code));
  }
  if (cmd == "unlink") {
    if (auto e = needDevice()) {
      return *e;
    }
    return statusReply(sim.unlinkDevice(*phone, static_cast<std::uint16_t>(*device)));
  }
  if (cmd == "inbox") {
    if (auto e = needPhone()) {
      return *e;
    }
    auto inbox = sim.phoneInbox(*phone);
    if (!inbox) {
      return errorReply(inbox.error());
    }
    json list = json::array();
    for (const auto& m : *inbox) {
      json j{{"id", m.id}, {"from", m.from}, {"type", m.type}, {"encType", m.encType}, {"t", m.t}};
      if (!m.participant.empty()) {
        j["participant"] = m.participant;
      }
      if (!m.text.empty()) {
        j["text"] = m.text;
      }
      if (!m.error.empty()) {
        j["error"] = m.error;
      }
      list.push_back(std::move(j));
    }
    return {{"ok", true}, {"messages", std::move(list)}};
  }
  if (cmd == "send") {
    if (auto e = needPhone()) {
      return *e;
    }
    auto to = str(request, "to");
    auto text = str(request, "text");
    if (!to || !text) {
      return errorReply("wasim.bad_request", "\"send\" needs \"to\" (a JID) and \"text\"");
    }
    auto id = sim.phoneSendText(*phone, *to, *text);
    return id ? json{{"ok", true}, {"messageId", *id}} : errorReply(id.error());
  }
  if (cmd == "fault") {
    if (auto e = needDevice()) {
      return *e;
    }
    auto kind = str(request, "kind").value_or("drop");
    StreamFault f;
    if (kind == "drop") {
      f.kind = StreamFault::Kind::Drop;
    } else if (kind == "close") {
      f.kind = StreamFault::Kind::Close;
    } else if (kind == "stream_error") {
      f.kind = StreamFault::Kind::StreamError;
    } else if (kind == "failure") {
      f.kind = StreamFault::Kind::Failure;
    } else {
      return errorReply("wasim.bad_request", "fault kind is drop, close, stream_error or failure");
    }
    f.code = static_cast<int>(num(request, "code").value_or(515));
    f.conflict = str(request, "conflict").value_or("");
    return statusReply(sim.injectFault(*phone, static_cast<std::uint16_t>(*device), f));
  }
  if (cmd == "delay") {
    if (auto e = needDevice()) {
      return *e;
    }
    auto ms = num(request, "ms").value_or(0);
    if (ms < 0 || ms > 600'000) {
      return errorReply("wasim.bad_request", "\"ms\" is 0..600000");
    }
    return statusReply(sim.setSendDelay(*phone, static_cast<std::uint16_t>(*device), std::chrono::milliseconds(ms)));
  }
  if (cmd == "fail_login") {
    if (auto e = needDevice()) {
      return *e;
    }
    return statusReply(sim.failNextLogin(*phone, static_cast<std::uint16_t>(*device),
                                         static_cast<int>(num(request, "reason").value_or(401))));
  }
  if (cmd == "overlaps") {
    // Logins that found the same companion still connected elsewhere, and logins per account.
    json list = json::array();
    for (const auto& o : sim.server().loginOverlaps()) {
      list.push_back({{"phone", o.phone}, {"device", o.device}, {"at", o.atMs}, {"older", o.olderConnection},
                      {"newer", o.newerConnection}});
    }
    json logins = json::object();
    for (const auto& [account, n] : sim.server().loginCounts()) {
      logins[account] = n;
    }
    return {{"ok", true}, {"overlaps", std::move(list)}, {"logins", std::move(logins)}};
  }
  if (auto reply = runLoadCommand(sim, cmd, request)) {
    return *reply;
  }
  return errorReply("wasim.unknown_command", "unknown command \"" + cmd + "\"");
}

}  // namespace switchboard::wasim
