#pragma once

// The text one recipient receives: the variant's template body (or inline text) with its
// {{parameters}} filled from the variant's params, the campaign's params, and the contact
// ({{contact.name}}, {{contact.phone}}, {{contact.<custom field>}}); `{{name|fallback}}` gives a
// default. A parameter without a value fails the recipient: a message goes out whole or not at all.

#include <map>
#include <string>

#include "switchboard/sdk/result.hpp"
#include "switchboard/sdk/types.hpp"

namespace switchboard::campaigns {

sdk::Result<std::string> renderMessage(const std::string& body, const std::map<std::string, std::string>& params,
                                       const sdk::Contact& contact);

}  // namespace switchboard::campaigns
