// The per-device queue of unacknowledged stanzas: acknowledgements by id and kind, wherever the
// stanza sits, with the byte count kept and the order of what stays unchanged.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "simulator/pending_queue.hpp"

namespace wasim = switchboard::wasim;
using Kind = wasim::PendingStanza::Kind;

namespace {

wasim::PendingStanza stanza(Kind kind, std::string id, std::size_t bytes = 10) {
  return wasim::PendingStanza{kind, id, switchboard::whatsapp::Node("message", {{"id", id}}), bytes};
}

std::vector<std::string> ids(const wasim::PendingQueue& q) {
  std::vector<std::string> out;
  for (const auto& p : q) {
    out.push_back(p.id);
  }
  return out;
}

}  // namespace

TEST(WasimPendingQueue, AcknowledgesByKindAndIdAnywhereAndKeepsTheOrderOfTheRest) {
  wasim::PendingQueue q;
  q.push(stanza(Kind::Message, "a", 1));
  q.push(stanza(Kind::Receipt, "b", 2));
  q.push(stanza(Kind::Message, "b", 4));
  q.push(stanza(Kind::Message, "c", 8));
  q.push(stanza(Kind::Notification, "d", 16));
  EXPECT_EQ(q.size(), 5u);
  EXPECT_EQ(q.bytes(), 31u);

  EXPECT_EQ(q.acknowledge(Kind::Message, "b"), 1u);  // the receipt with the same id stays
  EXPECT_EQ(ids(q), (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_EQ(q.bytes(), 27u);
  EXPECT_EQ(q.acknowledge(Kind::Message, "b"), 0u);       // already gone
  EXPECT_EQ(q.acknowledge(Kind::Notification, "a"), 0u);  // wrong kind
  EXPECT_EQ(q.acknowledge(Kind::Message, "zz"), 0u);      // never queued
  EXPECT_EQ(q.acknowledge(Kind::Message, "a"), 1u);       // the oldest
  EXPECT_EQ(q.acknowledge(Kind::Notification, "d"), 1u);  // the newest
  EXPECT_EQ(ids(q), (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(q.bytes(), 10u);
}

TEST(WasimPendingQueue, EveryStanzaWithTheIdGoesAndDroppingTheOldestForgetsItsId) {
  wasim::PendingQueue q;
  q.push(stanza(Kind::Message, "x"));
  q.push(stanza(Kind::Message, "y"));
  q.push(stanza(Kind::Message, "x"));  // a redelivered copy
  EXPECT_EQ(q.acknowledge(Kind::Message, "x"), 2u);
  EXPECT_EQ(ids(q), (std::vector<std::string>{"y"}));

  q.push(stanza(Kind::Message, "z"));
  q.popFront();  // "y" falls off the bound
  EXPECT_EQ(q.acknowledge(Kind::Message, "y"), 0u);
  EXPECT_EQ(ids(q), (std::vector<std::string>{"z"}));
  EXPECT_EQ(q.bytes(), 10u);
  EXPECT_EQ(q.acknowledge(Kind::Message, "z"), 1u);
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.bytes(), 0u);
}

TEST(WasimPendingQueue, AThousandStanzasAcknowledgedInAnyOrderLeaveNothing) {
  wasim::PendingQueue q;
  for (int i = 0; i < 1000; ++i) {
    q.push(stanza(Kind::Message, "m" + std::to_string(i), 3));
  }
  for (int i = 0; i < 1000; i += 2) {
    EXPECT_EQ(q.acknowledge(Kind::Message, "m" + std::to_string(i)), 1u);
  }
  EXPECT_EQ(q.size(), 500u);
  EXPECT_EQ(q.begin()->id, "m1");
  for (int i = 999; i > 0; i -= 2) {
    EXPECT_EQ(q.acknowledge(Kind::Message, "m" + std::to_string(i)), 1u);
  }
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.bytes(), 0u);
}
