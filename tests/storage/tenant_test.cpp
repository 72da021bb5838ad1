#include "storage_fixture.hpp"

namespace switchboard::host::test {
namespace {

// Fills one tenant with rows whose ids are the same in every tenant, so a missing filter would
// show up as the other tenant's values.
struct Seeded {
  sdk::ConversationId conversation;
};

Seeded seed(Store& store, const std::string& tenant) {
  Seeded out;
  std::vector<InboundWrite> batch = {makeInbound(tenant, "shared-account", "15551112222", "W1", "msg of " + tenant, 100)};
  auto r = store.storeInbound(batch);
  EXPECT_TRUE(r.ok()) << r.error().describe();
  out.conversation = (*r)[0].conversation;
  auto t = store.tenant(tenant);
  sdk::Contact c;
  c.id = "c1";
  c.phone = "15559990000";
  c.name = "contact of " + tenant;
  EXPECT_TRUE(t->upsertContact(c).ok());
  sdk::Agent a;
  a.id = "agent-1";
  a.name = "agent of " + tenant;
  EXPECT_TRUE(t->upsertAgent(a).ok());
  EXPECT_TRUE(t->upsertTemplate({"hello", "en", "Hello from " + tenant, "greeting"}).ok());
  EXPECT_TRUE(t->putState("plugin", "key", "state of " + tenant).ok());
  return out;
}

TEST_P(StorageTest, TenantHandleReadsOnlyItsTenant) {
  auto store = open();
  ASSERT_TRUE(store);
  auto a = seed(*store, "alpha");
  auto b = seed(*store, "beta");
  auto ta = store->tenant("alpha");
  EXPECT_EQ(ta->tenant(), "alpha");
  EXPECT_EQ((*ta->getContact("c1"))->name, "contact of alpha");
  EXPECT_EQ((*ta->findContactByPhone("15559990000"))->name, "contact of alpha");
  EXPECT_EQ((*ta->getAgent("agent-1"))->name, "agent of alpha");
  EXPECT_EQ((*ta->getTemplate("hello"))->body, "Hello from alpha");
  EXPECT_EQ(**ta->getState("plugin", "key"), "state of alpha");
  auto scan = ta->scanState("plugin", "k", 10);
  ASSERT_EQ(scan->size(), 1u);
  EXPECT_EQ((*scan)[0].second, "state of alpha");
  EXPECT_EQ(ta->listAgents()->size(), 1u);
  auto contacts = ta->searchContacts("", 100, 0);
  ASSERT_TRUE(contacts.ok());
  for (const auto& c : *contacts) {
    EXPECT_EQ(c.tenant, "alpha");
  }
  EXPECT_EQ(contacts->size(), 2u);  // c1 and the sender of W1
  auto convs = ta->listConversations({});
  ASSERT_EQ(convs->size(), 1u);
  EXPECT_EQ((*convs)[0].id, a.conversation);
  // The other tenant's conversation is invisible, even by id.
  EXPECT_FALSE(ta->getConversation(b.conversation)->has_value());
  EXPECT_TRUE(ta->listMessages(b.conversation, 10, std::nullopt)->empty());
  auto own = ta->listMessages(a.conversation, 10, std::nullopt);
  ASSERT_EQ(own->size(), 1u);
  EXPECT_EQ((*own)[0].text, "msg of alpha");
  EXPECT_FALSE(store->tenant("gamma")->getContact("c1")->has_value());
}

TEST_P(StorageTest, TenantHandleWritesOnlyItsTenant) {
  auto store = open();
  ASSERT_TRUE(store);
  auto a = seed(*store, "alpha");
  auto b = seed(*store, "beta");
  auto ta = store->tenant("alpha");
  auto tb = store->tenant("beta");
  // Writes naming the other tenant's conversation find nothing.
  auto assign = ta->assignConversation(b.conversation, "agent-1");
  ASSERT_FALSE(assign.ok());
  EXPECT_EQ(assign.error().code, "storage.not_found");
  EXPECT_FALSE(ta->setConversationStatus(b.conversation, sdk::ConversationStatus::Closed).ok());
  EXPECT_FALSE(ta->addConversationNote(b.conversation, "op", "note").ok());
  // Same ids in both tenants: alpha's writes change alpha's rows only.
  ASSERT_TRUE(ta->assignConversation(a.conversation, "agent-1").ok());
  ASSERT_TRUE(ta->setAgentStatus("agent-1", sdk::AgentStatus::Busy).ok());
  sdk::Contact c;
  c.id = "c1";
  c.phone = "15559990000";
  c.name = "renamed by alpha";
  ASSERT_TRUE(ta->upsertContact(c).ok());
  ASSERT_TRUE(ta->upsertTemplate({"hello", "en", "changed", ""}).ok());
  ASSERT_TRUE(ta->deleteState("plugin", "key").ok());
  EXPECT_EQ((*ta->getAgent("agent-1"))->openConversations, 1);
  EXPECT_EQ((*tb->getAgent("agent-1"))->openConversations, 0);
  EXPECT_EQ((*tb->getAgent("agent-1"))->status, sdk::AgentStatus::Offline);
  EXPECT_EQ((*tb->getContact("c1"))->name, "contact of beta");
  EXPECT_EQ((*tb->getTemplate("hello"))->body, "Hello from beta");
  EXPECT_EQ(**tb->getState("plugin", "key"), "state of beta");
  EXPECT_FALSE(ta->getState("plugin", "key")->has_value());
  EXPECT_EQ((*tb->getConversation(b.conversation))->assignee, "");
  // An agent of the other tenant cannot be assigned.
  sdk::Agent only;
  only.id = "beta-only";
  ASSERT_TRUE(tb->upsertAgent(only).ok());
  EXPECT_FALSE(ta->assignConversation(a.conversation, "beta-only").ok());
  EXPECT_FALSE(ta->setAgentStatus("beta-only", sdk::AgentStatus::Busy).ok());
  EXPECT_EQ((*tb->getAgent("beta-only"))->status, sdk::AgentStatus::Offline);
}

TEST_P(StorageTest, AccountsAuditAndTenants) {
  auto store = open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->createTenant("acme", "Acme Ltd").ok());
  ASSERT_TRUE(store->upsertAccount({"15550000001", "acme", "Support", "15550000001@s.whatsapp.net", "paired"}).ok());
  ASSERT_TRUE(store->upsertAccount({"15550000002", "default", "Sales", "", "new"}).ok());
  auto moved = store->upsertAccount({"15550000001", "other", "x", "", "new"});
  ASSERT_FALSE(moved.ok());
  EXPECT_EQ(moved.error().code, "storage.account_tenant");
  EXPECT_EQ(store->listAccounts(std::string("acme"))->size(), 1u);
  EXPECT_EQ(store->listAccounts(std::nullopt)->size(), 2u);
  EXPECT_EQ((*store->getAccount("15550000001"))->tenant, "acme");
  auto tenants = store->listTenants();
  ASSERT_TRUE(tenants.ok());
  std::vector<std::string> ids;
  for (const auto& t : *tenants) {
    ids.push_back(t.id);
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"acme", "default"}));
  ASSERT_TRUE(store->appendAudit({0, "acme", "alice", "conversation.assign", "cv_1", "to bob", 10}).ok());
  ASSERT_TRUE(store->appendAudit({0, "default", "root", "account.pair", "15550000002", "", 11}).ok());
  auto audit = store->listAudit("acme", 10);
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_EQ((*audit)[0].actor, "alice");
  EXPECT_EQ((*audit)[0].atMs, 10);
}

}  // namespace
}  // namespace switchboard::host::test
