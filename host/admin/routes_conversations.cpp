// Conversations: list and search, read (with notes), assign, transfer, close, notes, tags, the bot
// switch, and the message history with paging.

#include <charconv>

#include "admin/admin_queries.hpp"
#include "admin/api_routes.hpp"
#include "admin/command_waiter.hpp"
#include "admin/json_codec.hpp"
#include "admin/json_fields.hpp"

namespace switchboard::admin {
namespace {

/// The conversation a route names; a missing one is a `not_found` error, which errorResponse
/// answers with 404 like notFound() does.
sdk::Result<sdk::Conversation> namedConversation(Call& call, const std::string& id) {
  auto c = call.storage()->getConversation(id);
  if (!c) {
    return c.takeError();
  }
  if (!c.value()) {
    return sdk::Error::permanent("not_found", "no conversation \"" + id + "\"");
  }
  return *std::move(c).value();
}

http::Response list(Call& call) {
  auto limit = call.queryInt("limit", 50, 1, 500);
  auto offset = call.queryInt("offset", 0, 0, 1000000);
  if (!limit) {
    return errorResponse(limit.error());
  }
  if (!offset) {
    return errorResponse(offset.error());
  }
  auto storage = call.storage();
  std::vector<sdk::Conversation> found;
  if (auto q = call.request.queryValue("q"); q && !q->empty()) {
    auto ids = AdminQueries(storage).searchConversations(*q, *limit, *offset);
    if (!ids) {
      return errorResponse(ids.error());
    }
    for (const auto& id : ids.value()) {
      auto c = storage->getConversation(id);
      if (c && c.value()) {
        found.push_back(*c.value());
      }
    }
  } else {
    sdk::ConversationFilter filter;
    filter.limit = *limit;
    filter.offset = *offset;
    filter.account = call.request.queryValue("account");
    filter.assignee = call.request.queryValue("assignee");
    filter.tag = call.request.queryValue("tag");
    if (auto s = call.request.queryValue("status")) {
      filter.status = parseConversationStatus(*s);
      if (!filter.status) {
        return http::Response::error(400, "invalid", "status must be open, pending or closed");
      }
    }
    auto listed = storage->listConversations(filter);
    if (!listed) {
      return errorResponse(listed.error());
    }
    found = std::move(listed).value();
  }
  json items = json::array();
  for (const auto& c : found) {
    items.push_back(toJson(c));
  }
  json page = {{"items", items}};
  // A full page may have a next one.
  page["next_offset"] = static_cast<int>(found.size()) == *limit ? json(*offset + *limit) : json(nullptr);
  return http::Response::json(200, page);
}

http::Response get(Call& call) {
  const auto& id = call.request.param("id");
  auto c = namedConversation(call, id);
  if (!c) {
    return errorResponse(c.error());
  }
  json j = toJson(c.value());
  json notes = json::array();
  if (auto n = AdminQueries(call.storage()).conversationNotes(id, 100)) {
    for (const auto& note : n.value()) {
      notes.push_back({{"id", note.id}, {"author", note.author}, {"text", note.text}, {"created_at", note.createdAt}});
    }
  }
  j["notes"] = notes;
  return http::Response::json(200, j);
}

// Assign, transfer and close are commands: stored, idempotent, on Kafka like any other.
http::Response command(Call& call, sdk::CommandKind kind) {
  const auto& id = call.request.param("id");
  json body = json::object();
  if (!call.request.body.empty()) {
    auto parsed = call.body();
    if (!parsed) {
      return errorResponse(parsed.error());
    }
    body = std::move(parsed).value();
  }
  JsonFields f(body);
  std::optional<std::string> agent;
  if (kind == sdk::CommandKind::Close) {
    f.only({"command_id"});
  } else {
    f.only({"agent", "command_id"});
    agent = f.string("agent", true, 128);
  }
  auto commandId = f.string("command_id", false, 128);
  if (!f.ok()) {
    return errorResponse(f.error());
  }
  auto conv = namedConversation(call, id);
  if (!conv) {
    return errorResponse(conv.error());
  }
  sdk::OutboundCommand c;
  c.commandId = commandIdFor(commandId.value_or(call.request.header("Idempotency-Key")));
  c.tenant = call.tenant;
  c.account = conv.value().account;
  c.kind = kind;
  c.conversation = id;
  c.agent = agent.value_or("");
  c.origin = "admin:" + call.who.name;
  call.detail = (agent ? "agent=" + *agent + " " : std::string()) + "command_id=" + c.commandId;
  auto done = submitCommand(call.services(), c, std::chrono::seconds(3));
  if (!done) {
    return errorResponse(done.error());
  }
  if (done->final && done->result.stage == sdk::ResultStage::Failed) {
    return http::Response::error(409, "command.failed", done->result.reason);
  }
  auto after = call.storage()->getConversation(id);
  json j = after && after.value() ? toJson(*after.value()) : json::object();
  j["command"] = toJson(done->result);
  return http::Response::json(done->final ? 200 : 202, j);
}

http::Response addNote(Call& call) {
  const auto& id = call.request.param("id");
  auto body = call.body();
  if (!body) {
    return errorResponse(body.error());
  }
  JsonFields f(*body);
  f.only({"text"});
  auto text = f.string("text", true, 16 * 1024);
  if (!f.ok()) {
    return errorResponse(f.error());
  }
  auto conv = namedConversation(call, id);
  if (!conv) {
    return errorResponse(conv.error());
  }
  if (auto s = call.storage()->addConversationNote(id, call.who.name, *text); !s) {
    return errorResponse(s.error());
  }
  return http::Response::json(201, {{"conversation", id}, {"author", call.who.name}, {"text", *text}});
}

http::Response setTags(Call& call) {
  const auto& id = call.request.param("id");
  auto body = call.body();
  if (!body) {
    return errorResponse(body.error());
  }
  JsonFields f(*body);
  f.only({"tags"});
  auto tags = f.strings("tags", true, 64);
  if (!f.ok()) {
    return errorResponse(f.error());
  }
  auto conv = namedConversation(call, id);
  if (!conv) {
    return errorResponse(conv.error());
  }
  if (auto s = call.storage()->setConversationTags(id, *tags); !s) {
    return errorResponse(s.error());
  }
  call.detail = "tags=" + json(*tags).dump();
  auto after = call.storage()->getConversation(id);
  return http::Response::json(200, after && after.value() ? toJson(*after.value()) : json::object());
}

// The operator's switch for automatic replies in one conversation: auto-responders and AI agents
// read `bot_paused` before they answer.
http::Response setBot(Call& call) {
  const auto& id = call.request.param("id");
  auto body = call.body();
  if (!body) {
    return errorResponse(body.error());
  }
  JsonFields f(*body);
  f.only({"enabled"});
  auto enabled = f.boolean("enabled", true);
  if (!f.ok()) {
    return errorResponse(f.error());
  }
  auto conv = namedConversation(call, id);
  if (!conv) {
    return errorResponse(conv.error());
  }
  if (auto s = call.storage()->setBotPaused(id, !*enabled); !s) {
    return errorResponse(s.error());
  }
  call.detail = std::string("bot=") + (*enabled ? "on" : "off");
  auto after = call.storage()->getConversation(id);
  return http::Response::json(200, after && after.value() ? toJson(*after.value()) : json::object());
}

http::Response history(Call& call) {
  const auto& id = call.request.param("id");
  auto limit = call.queryInt("limit", 50, 1, 500);
  if (!limit) {
    return errorResponse(limit.error());
  }
  std::optional<sdk::TimestampMs> before;
  if (auto b = call.request.queryValue("before")) {
    long long v = -1;
    auto [ptr, ec] = std::from_chars(b->data(), b->data() + b->size(), v);
    if (ec != std::errc{} || ptr != b->data() + b->size() || v < 0) {
      return http::Response::error(400, "invalid", "query parameter \"before\" must be a timestamp in milliseconds");
    }
    before = v;
  }
  auto conv = namedConversation(call, id);
  if (!conv) {
    return errorResponse(conv.error());
  }
  auto messages = call.storage()->listMessages(id, *limit, before);
  if (!messages) {
    return errorResponse(messages.error());
  }
  json items = json::array();
  for (const auto& m : messages.value()) {
    items.push_back(toJson(m));
  }
  json page = {{"items", items}};
  // Newest first: the next (older) page starts before the last item's time.
  page["next_before"] = static_cast<int>(messages->size()) == *limit && !messages->empty()
                            ? json(messages->back().timestamp)
                            : json(nullptr);
  return http::Response::json(200, page);
}

}  // namespace

void addConversationRoutes(ApiRoutes& routes) {
  routes.add("GET", "/v1/conversations", Access::Read, "", list);
  routes.add("GET", "/v1/conversations/{id}", Access::Read, "", get);
  routes.add("POST", "/v1/conversations/{id}/assign", Access::Operate, "conversation.assign",
             [](Call& c) { return command(c, sdk::CommandKind::Assign); });
  routes.add("POST", "/v1/conversations/{id}/transfer", Access::Operate, "conversation.transfer",
             [](Call& c) { return command(c, sdk::CommandKind::Transfer); });
  routes.add("POST", "/v1/conversations/{id}/close", Access::Operate, "conversation.close",
             [](Call& c) { return command(c, sdk::CommandKind::Close); });
  routes.add("POST", "/v1/conversations/{id}/notes", Access::Operate, "conversation.note", addNote);
  routes.add("PUT", "/v1/conversations/{id}/tags", Access::Operate, "conversation.tags", setTags);
  routes.add("PUT", "/v1/conversations/{id}/bot", Access::Operate, "conversation.bot", setBot);
  routes.add("GET", "/v1/conversations/{id}/messages", Access::Read, "", history);
}

}  // namespace switchboard::admin
