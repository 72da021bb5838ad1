// sbctl accounts [list | add ACCOUNT | logout ACCOUNT] and sbctl pair ACCOUNT [--phone N].

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "admin/qr_render.hpp"
#include "http/url.hpp"
#include "sbctl/commands.hpp"
#include "sbctl/table.hpp"

namespace switchboard::sbctl {
namespace {

std::string sessionState(const json& account) {
  return account.contains("session") && account["session"].is_object() ? field(account["session"], "state") : "-";
}

int listAccounts(Invocation& in) {
  auto a = in.api.call("GET", "/v1/accounts");
  if (!a.ok()) {
    return a.exit;
  }
  if (in.json) {
    printJson(a.body);
    return kOk;
  }
  Table t({"ACCOUNT", "STATE", "JID", "NAME", "CONNECTOR", "SINCE"});
  for (const auto& acc : a.body.value("items", json::array())) {
    const auto& s = acc.contains("session") && acc["session"].is_object() ? acc["session"] : json::object();
    t.row({field(acc, "id"), sessionState(acc), field(s, "jid"), field(s, "push_name").empty() ? field(acc, "name") : field(s, "push_name"),
           field(acc, "connector"), formatTime(s.value("since", 0LL))});
  }
  t.print(std::cout);
  return kOk;
}

int addAccount(Invocation& in, const std::string& id) {
  json body = {{"id", id}};
  if (auto n = in.args.value("name")) {
    body["name"] = *n;
  }
  if (auto c = in.args.value("connector")) {
    body["connector"] = *c;
  }
  auto a = in.api.call("POST", "/v1/accounts", body);
  if (!a.ok()) {
    return a.exit;
  }
  if (in.json) {
    printJson(a.body);
  } else {
    std::cout << "account " << id << " created; state " << sessionState(a.body) << "; link it with: sbctl pair " << id
              << "\n";
  }
  return kOk;
}

int logoutAccount(Invocation& in, const std::string& id) {
  auto a = in.api.call("POST", "/v1/accounts/" + http::percentEncode(id) + "/logout", json::object());
  if (!a.ok()) {
    return a.exit;
  }
  if (in.json) {
    printJson(a.body);
  } else {
    std::cout << "account " << id << " logged out\n";
  }
  return kOk;
}

void drawQr(const std::string& code, bool light) {
  auto m = admin::encodeQr(code);
  if (!m) {
    std::cerr << "sbctl: " << m.error().message << "\n";
    return;
  }
  if (isatty(STDOUT_FILENO) != 0) {
    std::cout << "\033[H\033[2J";  // redraw in place: a new code replaces the old one
  }
  std::cout << admin::qrToTerminal(*m, 2, light)
            << "Scan with WhatsApp on the phone: Settings > Linked devices > Link a device.\n"
            << "Waiting for the scan (a new code replaces this one every few seconds)...\n"
            << std::flush;
}

}  // namespace

int cmdAccounts(Invocation& in) {
  const auto& p = in.args.positional();
  const std::string sub = p.size() > 1 ? p[1] : "list";
  if (sub == "list") {
    return listAccounts(in);
  }
  if ((sub == "add" || sub == "logout") && p.size() == 3) {
    return sub == "add" ? addAccount(in, p[2]) : logoutAccount(in, p[2]);
  }
  std::cerr << "usage: sbctl accounts [list | add ACCOUNT [--name N] [--connector PLUGIN] | logout ACCOUNT]\n";
  return kUsage;
}

int cmdPair(Invocation& in) {
  const auto& p = in.args.positional();
  if (p.size() != 2) {
    std::cerr << "usage: sbctl pair ACCOUNT [--phone NUMBER] [--wait SECONDS] [--light]\n";
    return kUsage;
  }
  const std::string id = p[1];
  const std::string path = "/v1/accounts/" + http::percentEncode(id);
  int waitSeconds = 180;
  if (auto w = in.args.value("wait")) {
    char* end = nullptr;
    long parsed = std::strtol(w->c_str(), &end, 10);
    waitSeconds = end != w->c_str() && *end == '\0' && parsed > 0 && parsed <= 86400 ? static_cast<int>(parsed) : -1;
    if (waitSeconds <= 0) {
      std::cerr << "sbctl: --wait takes a number of seconds\n";
      return kUsage;
    }
  }
  auto account = in.api.call("GET", path, std::nullopt, {404});
  if (account.exit == kNotFound) {
    json body = {{"id", id}};
    if (auto c = in.args.value("connector")) {
      body["connector"] = *c;
    }
    account = in.api.call("POST", "/v1/accounts", body);
  }
  if (!account.ok()) {
    return account.exit;
  }
  auto linked = [&](const json& acc) {
    if (in.json) {
      printJson(acc);
    } else {
      std::cout << "linked: " << id << " is " << field(acc["session"], "jid") << "\n";
    }
    return kOk;
  };
  if (sessionState(account.body) == "connected") {
    return linked(account.body);
  }
  if (auto phone = in.args.value("phone")) {
    auto code = in.api.call("POST", path + "/pairing-code", json{{"phone", *phone}});
    if (!code.ok()) {
      return code.exit;
    }
    if (in.json) {
      std::cout << json{{"pairing_code", code.body["code"]}}.dump() << std::endl;
    } else {
      std::cout << "On the phone " << *phone
                << ": WhatsApp > Linked devices > Link a device > Link with phone number instead, and enter\n\n    "
                << field(code.body, "code") << "\n\nWaiting for the phone..." << std::endl;
    }
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(waitSeconds);
  std::string shown;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!in.args.value("phone")) {
      auto qr = in.api.call("GET", path + "/qr", std::nullopt, {409});
      if (qr.ok() && field(qr.body, "code") != shown) {
        shown = field(qr.body, "code");
        if (in.json) {
          std::cout << json{{"qr", shown}, {"expires_at", qr.body.value("expires_at", 0LL)}}.dump() << std::endl;
        } else {
          drawQr(shown, in.args.flag("light"));
        }
      } else if (!qr.ok() && qr.status != 409) {
        return qr.exit;  // 409: no longer pairing; the state below says why
      }
    }
    auto now = in.api.call("GET", path);
    if (!now.ok()) {
      return now.exit;
    }
    const auto state = sessionState(now.body);
    if (state == "connected") {
      return linked(now.body);
    }
    if (state == "logged_out") {
      std::cerr << "sbctl: the session of " << id << " ended (" << field(now.body["session"], "detail") << ")\n";
      return kApiError;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  std::cerr << "sbctl: " << id << " was not linked within " << waitSeconds << " s\n";
  return kTimedOut;
}

}  // namespace switchboard::sbctl
