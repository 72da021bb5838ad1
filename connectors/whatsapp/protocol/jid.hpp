#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace switchboard::whatsapp {

inline constexpr std::string_view kUserServer = "s.whatsapp.net";
inline constexpr std::string_view kLegacyUserServer = "c.us";
inline constexpr std::string_view kGroupServer = "g.us";
inline constexpr std::string_view kBroadcastServer = "broadcast";
inline constexpr std::string_view kLidServer = "lid";
inline constexpr std::string_view kHostedServer = "hosted";
inline constexpr std::string_view kHostedLidServer = "hosted.lid";
inline constexpr std::string_view kMessengerServer = "msgr";
inline constexpr std::string_view kInteropServer = "interop";
inline constexpr std::string_view kNewsletterServer = "newsletter";

/// Domain type byte of an AD (agent/device) JID on the wire.
enum class JidDomain : std::uint8_t { WhatsApp = 0, Lid = 1, Hosted = 128, HostedLid = 129 };

/// A WhatsApp address. Text form: `user[_agent][:device]@server`, `{integrator}-user:device@interop`,
/// `user:device@msgr`; a server-only JID (`@s.whatsapp.net`) has an empty user.
struct Jid {
  enum class Form : std::uint8_t {
    Pair,     ///< user@server (JID_PAIR on the wire)
    AgentDevice,  ///< user[_agent]:device@server for user/LID/hosted servers (AD_JID)
    Messenger,    ///< user:device@msgr (FB_JID)
    Interop,      ///< integrator-user:device@interop (INTEROP_JID)
  };

  std::string user;
  std::string server;
  std::uint8_t agent = 0;  ///< AD domain type for AgentDevice; 0 unless the text had `_agent`
  std::uint16_t device = 0;
  std::uint16_t integrator = 0;
  Form form = Form::Pair;

  /// Parses the text forms above. Returns nothing when the text is not a JID we can put on the
  /// wire without losing anything (the codec then sends it as a plain string).
  static std::optional<Jid> parse(std::string_view text);

  static Jid pair(std::string user, std::string_view server = kUserServer);
  static Jid withDevice(std::string user, std::uint16_t device, std::string_view server = kUserServer);

  /// The wire domain byte for an AgentDevice JID.
  std::uint8_t domainType() const;
  /// Server name an AD domain type decodes to (unknown types mean the phone-number server).
  static std::string_view serverForDomain(std::uint8_t domain);

  std::string toString() const;
  bool operator==(const Jid&) const = default;
};

}  // namespace switchboard::whatsapp
