// The AI agent plugin loaded from its shared library into the real pipeline on SQLite, beside the
// loopback connector, with the Kafka bridge on the embedded broker, against a scripted
// OpenAI-compatible server on loopback that stands in for a real model (none can run here):
// a lead qualified (score and tags stored), an appointment booked (events on Kafka, the
// confirmation sent), a hand-over to a person on negative sentiment, the daily budget stopping
// calls, retries through 429/500/timeouts, malformed tool calls answered and not executed, and
// the agent's silence once a person replied.

#include "ai_pipeline_fixture.hpp"

using namespace aitest;

TEST_F(AiAgentPipeline, QualifiesALeadAndBooksAnAppointment) {
  start(true, config());
  model_->script({ait::toolAnswer({{"update_contact",
                                    R"({"lead_score": 80, "add_tags": ["lead", "qualified"],
                                        "fields": {"budget": "5000 EUR"}})"}}),
                  ait::textAnswer("Great news: the business plan fits your team.")});
  say("Hi, I'm interested in your business plan, what is the price for 20 people? Budget 5000 EUR.");
  ASSERT_TRUE(eventually([&] { return lines(sent_).size() == 1; }, 10s));
  EXPECT_NE(lines(sent_)[0].find("Great news: the business plan fits your team."), std::string::npos);

  // Score and tags stored on the contact.
  auto conv = conversation();
  auto contact = storage()->getContact(conv.contact);
  ASSERT_TRUE(contact.ok() && contact.value());
  EXPECT_EQ(contact.value()->fields["lead_score"], "80");
  EXPECT_EQ(contact.value()->fields["budget"], "5000 EUR");
  EXPECT_NE(std::find(contact.value()->tags.begin(), contact.value()->tags.end(), "lead"), contact.value()->tags.end());
  EXPECT_NE(std::find(contact.value()->tags.begin(), contact.value()->tags.end(), "qualified"),
            contact.value()->tags.end());

  // What the model was sent: the key, the prompt, the tools, the message; then the tool's result.
  auto calls = model_->calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].authorization, "Bearer test-key-123");
  EXPECT_EQ(calls[0].body["model"], "scripted-model");
  EXPECT_NE(calls[0].body["messages"][0]["content"].get<std::string>().find("Acme's sales assistant"),
            std::string::npos);
  EXPECT_EQ(calls[0].body["messages"].back()["role"], "user");
  std::vector<std::string> tools;
  for (const auto& t : calls[0].body["tools"]) {
    tools.push_back(t["function"]["name"]);
  }
  EXPECT_EQ(tools, (std::vector<std::string>{"lookup_contact", "update_contact", "book_appointment",
                                             "move_appointment", "cancel_appointment", "create_ticket", "handover"}));
  const auto& toolResult = calls[1].body["messages"].back();
  EXPECT_EQ(toolResult["role"], "tool");
  EXPECT_EQ(toolResult["tool_call_id"], "call_1");
  EXPECT_NE(toolResult["content"].get<std::string>().find("\"lead_score\":\"80\""), std::string::npos);

  // A booking: the appointment on Kafka for the calendar, the confirmation to the customer.
  const auto start = isoInDays(3);
  model_->script({ait::toolAnswer({{"book_appointment", json{{"start", start}, {"service", "product demo"}}.dump()}}),
                  ait::textAnswer("See you then!")});
  say("Can I book a demo for Thursday at 10?");
  ASSERT_TRUE(eventually([&] { return lines(sent_).size() == 3; }, 10s));
  EXPECT_NE(lines(sent_)[1].find("Your appointment (product demo) on"), std::string::npos) << lines(sent_)[1];
  EXPECT_NE(lines(sent_)[1].find("is confirmed. Reference: A-"), std::string::npos) << lines(sent_)[1];
  EXPECT_NE(lines(sent_)[2].find("See you then!"), std::string::npos);
  // The model remembered the conversation so far.
  calls = model_->calls();
  ASSERT_EQ(calls.size(), 4u);
  const auto memory = calls[2].body["messages"].dump();
  EXPECT_NE(memory.find("Great news: the business plan fits your team."), std::string::npos);
  EXPECT_NE(memory.find("lead_score: 80"), std::string::npos) << "the contact's fields are in the prompt";

  auto booked = events({"appointment.booked", "calendar.command"}, 2);
  ASSERT_EQ(booked.size(), 2u);
  const auto all = booked[0] + booked[1];
  EXPECT_NE(all.find(start), std::string::npos);
  EXPECT_NE(all.find("product demo"), std::string::npos);
  EXPECT_NE(all.find("\"action\""), std::string::npos);

  // Every agent message stored as automatic, from the agent; the call log on Kafka.
  auto history = storage()->listMessages(conv.id, 50, std::nullopt);
  ASSERT_TRUE(history.ok());
  int automatic = 0;
  for (const auto& m : history.value()) {
    automatic += m.outbound && m.automatic ? 1 : 0;
  }
  EXPECT_EQ(automatic, 3);
  auto callLog = events({"ai.call"}, 4);
  ASSERT_EQ(callLog.size(), 4u);
  EXPECT_NE(callLog[0].find("\"prompt_usage\":\"60\""), std::string::npos) << callLog[0];
  EXPECT_EQ(callLog[0].find("test-key-123"), std::string::npos) << "the key is never logged";
  EXPECT_EQ(metric("ai_agent_calls_total", {{"agent", "sales"}, {"outcome", "ok"}}), 4);
  EXPECT_EQ(metric("ai_agent_tokens_total", {{"agent", "sales"}, {"kind", "prompt"}}), 60 + 50 + 60 + 50);
  auto tags = conversation().tags;
  EXPECT_NE(std::find(tags.begin(), tags.end(), "intent:booking"), tags.end());
}

TEST_F(AiAgentPipeline, HandsOverToAPersonOnNegativeSentiment) {
  start(true, config());
  sb::Agent walter;
  walter.id = "walter";
  walter.name = "Walter";
  walter.department = "support";
  walter.status = sb::AgentStatus::Available;
  ASSERT_TRUE(storage()->upsertAgent(walter).ok());
  ASSERT_TRUE(storage()->setAgentStatus("walter", sb::AgentStatus::Available).ok());

  say("This is terrible, the worst service ever, I am furious!!");
  ASSERT_TRUE(eventually([&] { return lines(sent_).size() == 1; }, 10s));
  EXPECT_NE(lines(sent_)[0].find("I am passing you to a colleague"), std::string::npos);
  ASSERT_TRUE(eventually([&] { return conversation().assignee == "walter"; }, 10s));
  EXPECT_EQ(model_->callCount(), 0u) << "no model call for an angry customer";
  EXPECT_EQ(metric("ai_agent_handovers_total", {{"agent", "sales"}, {"reason", "negative sentiment"}}), 1);
  auto handover = events({"ai.handover"}, 1);
  ASSERT_EQ(handover.size(), 1u);
  EXPECT_NE(handover[0].find("negative sentiment"), std::string::npos);
  auto classified = events({"message.classified"}, 1);
  ASSERT_EQ(classified.size(), 1u);
  EXPECT_NE(classified[0].find("\"negative\""), std::string::npos);

  // From now on the person answers; the agent stays out.
  say("hello? anyone?");
  ASSERT_TRUE(eventually([&] { return metric("ai_agent_skipped_total", {{"reason", "handed_over"}}) == 1; }, 10s));
  EXPECT_EQ(model_->callCount(), 0u);
  EXPECT_EQ(lines(sent_).size(), 1u);
}

TEST_F(AiAgentPipeline, TheBudgetStopsCallsOnceSpent) {
  start(true, config("budget: {tokens_per_day: 100}\n"));
  model_->setFallback(ait::textAnswer("Happy to help.", 80, 40));
  say("Hello, a question about your plans");
  ASSERT_TRUE(eventually([&] { return lines(sent_).size() == 1; }, 10s));
  say("And another question about the price");
  ASSERT_TRUE(eventually([&] { return metric("ai_agent_skipped_total", {{"reason", "budget"}}) == 1; }, 10s));
  say("Still there?");
  ASSERT_TRUE(eventually([&] { return metric("ai_agent_skipped_total", {{"reason", "budget"}}) == 2; }, 10s));
  EXPECT_EQ(model_->callCount(), 1u);
  EXPECT_EQ(lines(sent_).size(), 1u);
  auto exhausted = events({"ai.budget_exhausted"}, 1);
  ASSERT_EQ(exhausted.size(), 1u) << "announced once";
  auto spent = storage()->getState("ai", "budget/" + std::string(kAccount) + "/" +
                                             utcDay(nowMs()));
  ASSERT_TRUE(spent.ok() && spent.value());
  EXPECT_EQ(json::parse(*spent.value())["tokens"], 120);
}

TEST_F(AiAgentPipeline, RetriesRateLimitsServerErrorsAndTimeouts) {
  start(false, config());
  auto slow = ait::textAnswer("too late");
  slow.delay = 1500ms;
  model_->script({ait::statusAnswer(429, {{"Retry-After", "1"}}), ait::statusAnswer(500), slow,
                  ait::textAnswer("Back on track.")});
  say("Hello there");
  ASSERT_TRUE(eventually([&] { return lines(sent_).size() == 1; }, 15s));
  EXPECT_NE(lines(sent_)[0].find("Back on track."), std::string::npos);
  auto calls = model_->calls();
  ASSERT_EQ(calls.size(), 4u);
  EXPECT_GE(calls[1].at - calls[0].at, 900ms) << "Retry-After: 1 was honoured";
  EXPECT_EQ(metric("ai_agent_calls_total", {{"agent", "sales"}, {"outcome", "ok"}}), 1);

  // A server that keeps failing: given up after max_attempts, nothing sent.
  model_->script({ait::statusAnswer(500), ait::statusAnswer(502), ait::statusAnswer(503), ait::statusAnswer(500)});
  say("Hello again");
  ASSERT_TRUE(eventually(
      [&] { return metric("ai_agent_calls_total", {{"agent", "sales"}, {"outcome", "server_error"}}) == 1; }, 15s));
  EXPECT_EQ(model_->callCount(), 8u);
  EXPECT_EQ(lines(sent_).size(), 1u);
}

TEST_F(AiAgentPipeline, MalformedToolCallsAreAnsweredNotExecuted) {
  start(false, config());
  model_->script({ait::toolAnswer({{"update_contact", "{not json"},
                                   {"update_contact", R"({"lead_score": 500})"},
                                   {"drop_database", "{}"}}),
                  ait::textAnswer("Sorry, let me try that again.")});
  say("I want to buy the pro plan");
  ASSERT_TRUE(eventually([&] { return lines(sent_).size() == 1; }, 10s));
  EXPECT_NE(lines(sent_)[0].find("Sorry, let me try that again."), std::string::npos);
  auto contact = storage()->getContact(conversation().contact);
  ASSERT_TRUE(contact.ok() && contact.value());
  EXPECT_EQ(contact.value()->fields.count("lead_score"), 0u) << "no invalid call was executed";

  auto calls = model_->calls();
  ASSERT_EQ(calls.size(), 2u);
  const auto& messages = calls[1].body["messages"];
  ASSERT_GE(messages.size(), 4u);
  std::vector<std::string> answers;
  for (const auto& m : messages) {
    if (m["role"] == "tool") {
      answers.push_back(m["content"]);
    }
  }
  ASSERT_EQ(answers.size(), 3u);
  EXPECT_NE(answers[0].find("not valid JSON"), std::string::npos) << answers[0];
  EXPECT_NE(answers[1].find("arguments.lead_score: must be at most 100"), std::string::npos) << answers[1];
  EXPECT_NE(answers[2].find("no tool named \\\"drop_database\\\""), std::string::npos) << answers[2];
  EXPECT_EQ(metric("ai_agent_tool_calls_total", {{"tool", "update_contact"}, {"result", "invalid"}}), 2);
  EXPECT_EQ(metric("ai_agent_tool_calls_total", {{"tool", "unknown"}, {"result", "invalid"}}), 1);
}

TEST_F(AiAgentPipeline, StaysSilentOnceAPersonReplied) {
  start(false, config());
  say("Hello, what does the starter plan include?");
  ASSERT_TRUE(eventually([&] { return lines(sent_).size() == 1; }, 10s));
  EXPECT_NE(lines(sent_)[0].find("How can I help you?"), std::string::npos);
  EXPECT_NE(lines(sent_)[0].find("ai:"), std::string::npos) << "command id names the instance";

  sb::OutboundCommand person;
  person.commandId = "agent-walter-1";
  person.account = kAccount;
  person.to = kCustomer;
  person.conversation = conversation().id;
  person.text = "Hi, Walter here. Let me check.";
  ASSERT_TRUE(pipeline_->submit(person).ok());
  ASSERT_TRUE(eventually([&] { return lines(sent_).size() == 2; }, 10s));
  say("thanks, and the price?");
  ASSERT_TRUE(eventually([&] { return metric("ai_agent_skipped_total", {{"reason", "human_override"}}) == 1; }, 10s));
  EXPECT_EQ(model_->callCount(), 1u);
  EXPECT_EQ(lines(sent_).size(), 2u);
}

TEST_F(AiAgentPipeline, RemindsMovesAndCancelsAppointments) {
  // The reminder falls due two seconds after the booking.
  start(false, config("", "appointments: {reminder_before: 3598s, check_interval: 200ms}\n"));
  model_->script({ait::toolAnswer({{"book_appointment", json{{"start", isoIn(3600)}, {"service", "haircut"}}.dump()}}),
                  ait::textAnswer("Booked.")});
  say("I'd like to book a haircut in an hour");
  ASSERT_TRUE(eventually([&] { return lines(sent_).size() == 2; }, 10s));
  const auto confirmation = lines(sent_)[0];
  const auto at = confirmation.find("Reference: ");
  ASSERT_NE(at, std::string::npos) << confirmation;
  const auto id = confirmation.substr(at + 11, confirmation.find('.', at) - at - 11);
  ASSERT_EQ(id.rfind("A-", 0), 0u) << id;
  ASSERT_TRUE(eventually([&] { return lines(sent_).size() == 3; }, 10s)) << "no reminder";
  EXPECT_NE(lines(sent_)[2].find("Reminder: your appointment (haircut) is on"), std::string::npos) << lines(sent_)[2];

  model_->script({ait::toolAnswer({{"move_appointment", json{{"appointment_id", id}, {"start", isoIn(7200)}}.dump()}}),
                  ait::textAnswer("Moved.")});
  say("can we make it an hour later?");
  ASSERT_TRUE(eventually([&] { return lines(sent_).size() == 5; }, 10s));
  EXPECT_NE(lines(sent_)[3].find("Your appointment " + id + " is moved to"), std::string::npos) << lines(sent_)[3];

  model_->script({ait::toolAnswer({{"cancel_appointment", json{{"appointment_id", id}, {"reason", "sick"}}.dump()}}),
                  ait::toolAnswer({{"cancel_appointment", json{{"appointment_id", id}}.dump()}}),
                  ait::textAnswer("Cancelled.")});
  say("sorry, please cancel it");
  ASSERT_TRUE(eventually([&] { return lines(sent_).size() == 7; }, 10s));
  EXPECT_NE(lines(sent_)[5].find("Your appointment " + id + " on"), std::string::npos) << lines(sent_)[5];
  EXPECT_NE(lines(sent_)[5].find("is cancelled"), std::string::npos) << lines(sent_)[5];
  // The second cancel was answered with an error, not executed twice.
  const auto last = model_->calls().back().body["messages"].back();
  EXPECT_NE(last["content"].get<std::string>().find("already cancelled"), std::string::npos) << last.dump();
  auto stored = storage()->getState("ai", "appointments/" + id);
  ASSERT_TRUE(stored.ok() && stored.value());
  EXPECT_EQ(json::parse(*stored.value())["status"], "cancelled");
  // The moved appointment's reminder (due in an hour and a bit) was dropped with the cancellation.
  auto reminders = storage()->scanState("ai", "reminders/", 10);
  ASSERT_TRUE(reminders.ok());
  EXPECT_TRUE(reminders->empty());
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(lines(sent_).size(), 7u);
}

TEST_F(AiAgentPipeline, AdminRouteSwitchesAgentsAndConversations) {
  start(false, config("admin_token: admin-secret\n"));
  EXPECT_EQ(adminPost({{"op", "list"}}, "wrong").status, 401u);
  auto list = adminPost({{"op", "list"}}, "admin-secret");
  ASSERT_EQ(list.status, 200u) << list.body;
  EXPECT_EQ(json::parse(list.body)["agents"][0]["name"], "sales");

  // An agent switched off takes nothing.
  ASSERT_EQ(adminPost({{"op", "disable_agent"}, {"name", "sales"}}, "admin-secret").status, 200u);
  say("Hello, anybody?");
  ASSERT_TRUE(eventually([&] { return metric("ai_agent_skipped_total", {{"reason", "no_agent"}}) == 1; }, 10s));
  ASSERT_EQ(adminPost({{"op", "enable_agent"}, {"name", "sales"}}, "admin-secret").status, 200u);

  // A conversation switched off is left alone until it is switched on again.
  const auto id = conversation().id;
  ASSERT_EQ(adminPost({{"op", "disable_conversation"}, {"conversation", id}}, "admin-secret").status, 200u);
  say("Hello again");
  ASSERT_TRUE(eventually(
      [&] { return metric("ai_agent_skipped_total", {{"reason", "conversation_disabled"}}) == 1; }, 10s));
  EXPECT_EQ(model_->callCount(), 0u);
  ASSERT_EQ(adminPost({{"op", "enable_conversation"}, {"conversation", id}}, "admin-secret").status, 200u);

  // An agent added through the API replaces the YAML one of the same name.
  auto put = adminPost({{"op", "put_agent"},
                        {"agent", {{"name", "sales"}, {"system_prompt", "You are the API's agent."}, {"tools", json::array()}}}},
                       "admin-secret");
  ASSERT_EQ(put.status, 200u) << put.body;
  auto bad = adminPost({{"op", "put_agent"}, {"agent", {{"name", "x"}, {"system_prompt", "p"}, {"tools", {"rm"}}}}},
                       "admin-secret");
  EXPECT_EQ(bad.status, 400u);
  EXPECT_NE(bad.body.find("unknown tool"), std::string::npos) << bad.body;
  say("Third time lucky?");
  ASSERT_TRUE(eventually([&] { return lines(sent_).size() == 1; }, 10s));
  auto calls = model_->calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_NE(calls[0].body["messages"][0]["content"].get<std::string>().find("You are the API's agent."),
            std::string::npos);
  EXPECT_FALSE(calls[0].body.contains("tools")) << "the stored agent has no tools";

  auto usage = adminPost({{"op", "usage"}, {"account", kAccount}}, "admin-secret");
  ASSERT_EQ(usage.status, 200u);
  EXPECT_EQ(json::parse(usage.body)["tokens"], 60);
}

TEST_F(AiAgentPipeline, TheModelClassifiesAndTheAgentHandsOverAfterNTurns) {
  start(false, config("classifier: model\n", "appointments: {reminder_before: 0}\n", "{team: support, max_turns: 1}"));
  model_->script({ait::textAnswer(R"({"intent": "pricing", "sentiment": 0.2, "confidence": 0.9})", 20, 5),
                  ait::textAnswer("Plans start at 10 EUR.")});
  say("how much?");
  ASSERT_TRUE(eventually([&] { return lines(sent_).size() == 1; }, 10s));
  auto calls = model_->calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].body["response_format"]["type"], "json_object") << "the classification call";
  EXPECT_FALSE(calls[0].body.contains("tools"));
  auto tags = conversation().tags;
  EXPECT_NE(std::find(tags.begin(), tags.end(), "intent:pricing"), tags.end());
  EXPECT_NE(std::find(tags.begin(), tags.end(), "sentiment:neutral"), tags.end());

  // The second customer message: one turn was the limit; nobody of the team is available, so the
  // conversation is queued for a person with the team's tag.
  model_->script({ait::textAnswer(R"({"intent": "other", "sentiment": 0, "confidence": 0.8})", 20, 5)});
  say("ok, and what else is in it?");
  ASSERT_TRUE(eventually([&] { return lines(sent_).size() == 2; }, 10s));
  EXPECT_NE(lines(sent_)[1].find("I am passing you to a colleague"), std::string::npos);
  EXPECT_EQ(metric("ai_agent_handovers_total", {{"agent", "sales"}, {"reason", "turn limit"}}), 1);
  EXPECT_EQ(model_->callCount(), 3u);
  tags = conversation().tags;
  EXPECT_NE(std::find(tags.begin(), tags.end(), "needs-human"), tags.end());
  EXPECT_NE(std::find(tags.begin(), tags.end(), "team:support"), tags.end());
  EXPECT_EQ(metric("ai_agent_calls_total", {{"agent", "classifier"}, {"outcome", "ok"}}), 2);
}

TEST_F(AiAgentPipeline, MessagesDuringATurnAreAnsweredAfterItInOneReply) {
  start(false, config());
  auto slow = ait::textAnswer("First answer.");
  slow.delay = 400ms;
  model_->script({slow, ait::textAnswer("Second answer.")});
  say("first question");
  ASSERT_TRUE(model_->waitForCalls(1, 10s));
  say("second question");
  say("third question");
  ASSERT_TRUE(eventually([&] { return lines(sent_).size() == 2; }, 10s));
  EXPECT_NE(lines(sent_)[0].find("First answer."), std::string::npos);
  EXPECT_NE(lines(sent_)[1].find("Second answer."), std::string::npos);
  auto calls = model_->calls();
  ASSERT_EQ(calls.size(), 2u) << "one turn at a time, the waiting messages answered together";
  EXPECT_GE(calls[1].at - calls[0].at, 350ms) << "the second call waited for the first answer";
  const auto memory = calls[1].body["messages"].dump();
  EXPECT_NE(memory.find("second question"), std::string::npos);
  EXPECT_NE(memory.find("third question"), std::string::npos);
  EXPECT_NE(memory.find("First answer."), std::string::npos);
  EXPECT_EQ(metric("ai_agent_skipped_total", {{"reason", "superseded"}}), 1);
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(lines(sent_).size(), 2u);
}
