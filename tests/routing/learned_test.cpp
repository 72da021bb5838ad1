// The learned strategy on a labelled data set generated here: six agents, each the one who
// resolves one kind of request, customers who write with their own words, filler, typos of a
// sort (words of other topics) and 15% of conversations resolved by whoever happened to be
// free. Held-out conversations are routed through the engine by the learned strategy and by
// round robin; the learned one must be far above chance and above round robin.

#include <gtest/gtest.h>

#include <random>

#include "learned_model.hpp"
#include "routing_fixtures.hpp"

using namespace switchboard::routing;
using namespace switchboard::routing::test;
namespace sb = switchboard::sdk;

namespace {

struct Topic {
  std::string agent;
  std::vector<std::string> words;
};

const std::vector<Topic> kTopics = {
    {"alice", {"invoice", "refund", "charged", "twice", "payment", "card", "billing", "receipt"}},
    {"bruno", {"password", "login", "locked", "reset", "account", "code", "verify", "email"}},
    {"chen", {"delivery", "package", "tracking", "late", "courier", "shipped", "address", "arrive"}},
    {"dora", {"crash", "error", "app", "update", "screen", "bug", "freezes", "android"}},
    {"emil", {"cancel", "subscription", "plan", "upgrade", "downgrade", "renewal", "trial", "premium"}},
    {"fay", {"return", "broken", "damaged", "exchange", "size", "wrong", "item", "warranty"}},
};
const std::vector<std::string> kFiller = {"hi", "hello", "please", "help", "my", "the", "i", "need", "is",
                                          "with", "thanks", "a", "can", "you", "why", "not", "it"};

std::vector<LabelledConversation> generate(int n, unsigned seed) {
  std::mt19937 rng(seed);
  auto pick = [&](const std::vector<std::string>& v) { return v[std::uniform_int_distribution<std::size_t>(0, v.size() - 1)(rng)]; };
  std::uniform_int_distribution<std::size_t> topicOf(0, kTopics.size() - 1);
  std::uniform_real_distribution<double> unit(0, 1);
  std::vector<LabelledConversation> out;
  for (int i = 0; i < n; ++i) {
    const auto& topic = kTopics[topicOf(rng)];
    std::string text;
    const int words = 4 + static_cast<int>(rng() % 6);
    for (int w = 0; w < words; ++w) {
      const double u = unit(rng);
      const auto& word = u < 0.45 ? pick(topic.words) : u < 0.9 ? pick(kFiller) : pick(kTopics[topicOf(rng)].words);
      text += (text.empty() ? "" : " ") + word;
    }
    // Some conversations end with whoever was free, whatever they were about.
    const auto& agent = unit(rng) < 0.15 ? kTopics[topicOf(rng)].agent : topic.agent;
    out.push_back({"conv-" + std::to_string(i), text, agent});
  }
  return out;
}

std::vector<sb::Agent> everyone() {
  std::vector<sb::Agent> out;
  for (const auto& t : kTopics) {
    out.push_back(agent({.id = t.agent}));
  }
  return out;
}

}  // namespace

TEST(RoutingTextClassifier, TokenizesWordsAndPairs) {
  EXPECT_EQ(tokenize("Hello, WORLD! it's 2day"), (std::vector<std::string>{"hello", "world", "it", "s", "2day"}));
  EXPECT_EQ(tokenize("¿Dónde está?"), (std::vector<std::string>{"¿dónde", "está"}));
  EXPECT_EQ(features("a b c"), (std::vector<std::string>{"a", "b", "c", "a b", "b c"}));
}

TEST(RoutingTextClassifier, PosteriorIsOverTheGivenLabelsOnly) {
  auto nb = NaiveBayes::train({{"refund my invoice", "alice"}, {"reset my password", "bruno"}, {"late package", "chen"}});
  const std::string alice = "alice", bruno = "bruno", unknown = "unknown";
  auto p = nb.posterior("invoice refund", {&alice, &unknown, &bruno});
  ASSERT_EQ(p.size(), 3u);
  EXPECT_GT(p[0], 0.8);
  EXPECT_EQ(p[1], -1.0) << "a label the model never saw";
  EXPECT_NEAR(p[0] + p[2], 1.0, 1e-9);
  EXPECT_EQ(nb.predict("my password please"), "bruno");
  EXPECT_EQ(NaiveBayes::train({}).posterior("x", {&alice}), std::vector<double>{-1.0});
}

TEST(RoutingLearnedModel, TooLittleHistoryGivesNoModel) {
  EXPECT_EQ(trainLearnedModel(generate(10, 1), 0.2, 20), nullptr);
  std::vector<LabelledConversation> oneAgent;
  for (int i = 0; i < 50; ++i) {
    oneAgent.push_back({"c" + std::to_string(i), "anything", "solo"});
  }
  EXPECT_EQ(trainLearnedModel(oneAgent, 0.2, 20), nullptr) << "one agent: nothing to learn";
}

TEST(RoutingLearnedModel, HeldOutSplitIsStableAndNearTheAskedShare) {
  int held = 0;
  for (int i = 0; i < 10000; ++i) {
    const auto id = "conv-" + std::to_string(i);
    EXPECT_EQ(heldOut(id, 0.2), heldOut(id, 0.2));
    held += heldOut(id, 0.2) ? 1 : 0;
  }
  EXPECT_NEAR(held / 10000.0, 0.2, 0.02);
}

TEST(RoutingLearnedStrategy, BeatsRoundRobinOnALabelledSetByAWideMargin) {
  const auto data = generate(1500, 7);
  auto model = trainLearnedModel(data, 0.25, 20);
  ASSERT_NE(model, nullptr);
  EXPECT_GT(model->heldOut, 250u);
  EXPECT_NEAR(model->chanceAccuracy, 1.0 / 6, 1e-9);

  // Route every held-out conversation through the engine, once with each strategy.
  RoutingKnowledge k;
  std::vector<LabelledConversation> train, test;
  for (const auto& c : data) {
    (heldOut(c.id, 0.25) ? test : train).push_back(c);
  }
  k.setModel("default", trainLearnedModel(train, 0.25, 20));
  RoutingEngine learned(config("learning: {enabled: true}\ndefault: {chain: [{strategy: learned}]}"), k);
  RoutingEngine roundRobin(config("default: {chain: [{strategy: round_robin}]}"), k);
  int learnedRight = 0, roundRobinRight = 0;
  for (const auto& c : test) {
    const auto r = request(c.text, everyone());
    learnedRight += *learned.route(r, 0).agent == c.agent ? 1 : 0;
    roundRobinRight += *roundRobin.route(r, 0).agent == c.agent ? 1 : 0;
  }
  const double learnedAccuracy = static_cast<double>(learnedRight) / static_cast<double>(test.size());
  const double roundRobinAccuracy = static_cast<double>(roundRobinRight) / static_cast<double>(test.size());
  std::printf("held-out conversations: %zu; learned accuracy %.3f, round robin accuracy %.3f, model's own "
              "held-out accuracy %.3f, majority-agent accuracy %.3f\n",
              test.size(), learnedAccuracy, roundRobinAccuracy, model->accuracy, model->majorityAccuracy);
  EXPECT_GT(learnedAccuracy, 0.6);
  EXPECT_LT(roundRobinAccuracy, 0.3);
  EXPECT_GT(learnedAccuracy, roundRobinAccuracy + 0.3);
  EXPECT_NEAR(model->accuracy, learnedAccuracy, 0.05) << "the logged figure is what routing achieves";
}

TEST(RoutingLearnedStrategy, RespectsCandidatesAndFallsBackWithoutAModel) {
  RoutingKnowledge k;
  RoutingEngine e(config("learning: {enabled: true}\ndefault: {chain: [{strategy: learned, top: 1}, {strategy: least_busy}]}"),
                  k);
  auto agents = everyone();
  agents[4].openConversations = 1;  // emil is busier than the rest
  auto o = e.route(request("my invoice was charged twice", agents), 0);
  EXPECT_EQ(*o.agent, "alice") << "no model: least busy, id order";
  EXPECT_NE(o.reason.find("no model yet"), std::string::npos) << o.reason;

  k.setModel("default", trainLearnedModel(generate(1200, 3), 0.2, 20));
  const auto text = "reset my password, the account is locked";
  o = e.route(request(text, agents), 0);
  EXPECT_EQ(*o.agent, "bruno");
  EXPECT_NE(o.reason.find("learned: 1 most likely"), std::string::npos) << o.reason;
  RoutingEngine picker(config("learning: {enabled: true}\ndefault: {chain: [{strategy: learned}]}"), k);
  o = picker.route(request(text, agents), 0);
  EXPECT_EQ(*o.agent, "bruno");
  EXPECT_NE(o.reason.find("predicted with probability"), std::string::npos) << o.reason;
  // bruno is away: someone else, never an agent who is not a candidate.
  agents[1].status = sb::AgentStatus::Away;
  o = picker.route(request(text, agents), 0);
  ASSERT_TRUE(o.agent);
  EXPECT_NE(*o.agent, "bruno");
}
