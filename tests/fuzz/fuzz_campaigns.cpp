// Fuzzes what the campaigns plugin reads from outside: campaign definitions posted to its admin
// routes (JSON), command ids in command.result events, stored recipient and opt-out records,
// inbound texts against the stop words, and message bodies with parameters. The first byte picks
// the reader; the rest is the input. Every reader must answer with a value or an error.

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

#include "ab_report.hpp"
#include "campaign.hpp"
#include "message_text.hpp"
#include "opt_out.hpp"
#include "recipient.hpp"

namespace campaigns = switchboard::campaigns;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) {
    return 0;
  }
  const std::string input(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 5) {
    case 0: {
      auto j = nlohmann::json::parse(input, nullptr, false);
      if (!j.is_discarded()) {
        auto c = campaigns::parseCampaign(j);
        if (c.ok()) {
          // What was accepted reads back the same, and its schedule answers.
          auto again = campaigns::parseCampaign(campaigns::toJson(*c));
          if (!again.ok()) {
            __builtin_trap();
          }
          (void)c->schedule.nextRun(1'700'000'000'000);
          (void)campaigns::variantFor(*c, input);
          (void)campaigns::accountFor(*c, input);
        }
      }
      break;
    }
    case 1: {
      auto ref = campaigns::parseCommandId(input);
      if (ref && campaigns::commandIdFor(ref->campaign, ref->run, ref->contact) != input) {
        __builtin_trap();
      }
      break;
    }
    case 2: {
      (void)campaigns::Recipient::fromJson(input);
      (void)campaigns::OptOutRecord::fromJson(input);
      break;
    }
    case 3: {
      static const campaigns::StopWords words({"STOP", "unsubscribe", "Stopp!"});
      (void)words.match(input);
      (void)campaigns::parseDurationMs(nlohmann::json(input));
      (void)campaigns::parseClock(input);
      break;
    }
    default: {
      switchboard::sdk::Contact contact;
      contact.id = "ct_1";
      contact.name = "Ada";
      contact.fields = {{"city", "Lyon"}};
      (void)campaigns::renderMessage(input, {{"offer", "20%"}}, contact);
      break;
    }
  }
  return 0;
}
