#include "protocol/jid.hpp"

#include <charconv>

namespace switchboard::whatsapp {
namespace {

template <typename T>
std::optional<T> parseDecimal(std::string_view s) {
  // Leading zeros or signs would not survive the number round trip through the wire.
  if (s.empty() || (s.size() > 1 && s[0] == '0')) {
    return std::nullopt;
  }
  T value{};
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc{} || end != s.data() + s.size()) {
    return std::nullopt;
  }
  return value;
}

bool isAdServer(std::string_view server) {
  return server == kUserServer || server == kLidServer || server == kHostedServer || server == kHostedLidServer;
}

}  // namespace

Jid Jid::pair(std::string user, std::string_view server) {
  Jid j;
  j.user = std::move(user);
  j.server = std::string(server);
  return j;
}

Jid Jid::withDevice(std::string user, std::uint16_t device, std::string_view server) {
  Jid j;
  j.user = std::move(user);
  j.server = std::string(server);
  j.device = device;
  j.form = server == kMessengerServer ? Form::Messenger : Form::AgentDevice;
  return j;
}

std::string_view Jid::serverForDomain(std::uint8_t domain) {
  switch (domain) {
    case static_cast<std::uint8_t>(JidDomain::Lid):
      return kLidServer;
    case static_cast<std::uint8_t>(JidDomain::Hosted):
      return kHostedServer;
    case static_cast<std::uint8_t>(JidDomain::HostedLid):
      return kHostedLidServer;
    default:
      return kUserServer;
  }
}

std::uint8_t Jid::domainType() const {
  if (server == kLidServer) {
    return static_cast<std::uint8_t>(JidDomain::Lid);
  }
  if (server == kHostedServer) {
    return static_cast<std::uint8_t>(JidDomain::Hosted);
  }
  if (server == kHostedLidServer) {
    return static_cast<std::uint8_t>(JidDomain::HostedLid);
  }
  return agent;
}

std::optional<Jid> Jid::parse(std::string_view text) {
  // The first '@' splits, as both reference clients do.
  auto at = text.find('@');
  if (at == std::string_view::npos) {
    return std::nullopt;
  }
  Jid j;
  std::string_view userPart = text.substr(0, at);
  std::string_view server = text.substr(at + 1);
  if (server.empty()) {
    return std::nullopt;
  }
  j.server = std::string(server);
  if (server == kInteropServer) {
    auto dash = userPart.find('-');
    auto colon = userPart.rfind(':');
    if (dash == std::string_view::npos || colon == std::string_view::npos || colon < dash) {
      return std::nullopt;
    }
    auto integrator = parseDecimal<std::uint16_t>(userPart.substr(0, dash));
    auto device = parseDecimal<std::uint16_t>(userPart.substr(colon + 1));
    if (!integrator || !device) {
      return std::nullopt;
    }
    j.form = Form::Interop;
    j.integrator = *integrator;
    j.device = *device;
    j.user = std::string(userPart.substr(dash + 1, colon - dash - 1));
    return j;
  }
  if (server == kMessengerServer) {
    auto colon = userPart.rfind(':');
    if (colon == std::string_view::npos) {
      return std::nullopt;
    }
    auto device = parseDecimal<std::uint16_t>(userPart.substr(colon + 1));
    if (!device) {
      return std::nullopt;
    }
    j.form = Form::Messenger;
    j.device = *device;
    j.user = std::string(userPart.substr(0, colon));
    return j;
  }
  auto colon = userPart.find(':');
  if (colon == std::string_view::npos) {
    // A plain pair keeps its user verbatim (it may even contain '_').
    j.user = std::string(userPart);
    return j;
  }
  if (!isAdServer(server)) {
    return std::nullopt;
  }
  auto device = parseDecimal<std::uint8_t>(userPart.substr(colon + 1));
  if (!device) {
    return std::nullopt;
  }
  std::string_view userAgent = userPart.substr(0, colon);
  auto underscore = userAgent.find('_');
  if (underscore != std::string_view::npos) {
    // An explicit agent only exists next to the phone-number server; elsewhere the server says it.
    auto agent = parseDecimal<std::uint8_t>(userAgent.substr(underscore + 1));
    if (!agent || server != kUserServer) {
      return std::nullopt;
    }
    j.agent = *agent;
    userAgent = userAgent.substr(0, underscore);
  }
  j.form = Form::AgentDevice;
  j.device = *device;
  j.user = std::string(userAgent);
  return j;
}

std::string Jid::toString() const {
  std::string out;
  switch (form) {
    case Form::Pair:
      out = user;
      break;
    case Form::AgentDevice:
      out = user;
      if (agent != 0 && server == kUserServer) {
        out += '_';
        out += std::to_string(agent);
      }
      // The reference clients drop ":0", so "user:0@server" and "user@server" are one address;
      // with an agent the device stays, or the text would no longer parse as an AD JID.
      if (device != 0 || (agent != 0 && server == kUserServer)) {
        out += ':';
        out += std::to_string(device);
      }
      break;
    case Form::Messenger:
      out = user + ':' + std::to_string(device);
      break;
    case Form::Interop:
      out = std::to_string(integrator) + '-' + user + ':' + std::to_string(device);
      break;
  }
  out += '@';
  out += server;
  return out;
}

}  // namespace switchboard::whatsapp
