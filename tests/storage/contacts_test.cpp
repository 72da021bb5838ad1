#include "storage/contact_csv.hpp"
#include "storage_fixture.hpp"

namespace switchboard::host::test {
namespace {

TEST_P(StorageTest, ContactsNormalisePhonesAndSearch) {
  auto store = open();
  ASSERT_TRUE(store);
  auto t = store->tenant("default");
  sdk::Contact c;
  c.phone = "+44 (20) 7946-0958";
  c.name = "Ada Lovelace";
  c.tags = {"vip", "uk"};
  c.fields = {{"company", "Analytical Engines"}};
  auto stored = t->upsertContact(c);
  ASSERT_TRUE(stored.ok()) << stored.error().describe();
  EXPECT_EQ(stored->phone, "442079460958");
  EXPECT_FALSE(stored->id.empty());
  // Upsert without id finds the same contact by its normalised phone.
  c.phone = "00442079460958";
  c.name = "Ada King";
  auto again = t->upsertContact(c);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->id, stored->id);
  EXPECT_EQ(again->name, "Ada King");
  EXPECT_EQ(again->fields.at("company"), "Analytical Engines");
  EXPECT_EQ((*t->findContactByPhone("+442079460958"))->id, stored->id);
  auto found = t->searchContacts("ada", 10, 0);
  ASSERT_TRUE(found.ok()) << found.error().describe();
  EXPECT_EQ(found->size(), 1u);
  EXPECT_EQ(t->searchContacts("analytical", 10, 0)->size(), 1u);
  EXPECT_EQ(t->searchContacts("nobody", 10, 0)->size(), 0u);
  c.phone = "12ab";
  auto bad = t->upsertContact(c);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "contacts.bad_phone");
  ASSERT_TRUE(t->addContactNote(stored->id, "alice", "called back").ok());
  EXPECT_FALSE(t->addContactNote("missing", "alice", "x").ok());
}

TEST_P(StorageTest, DuplicatesAreFoundAndMerged) {
  auto store = open();
  ASSERT_TRUE(store);
  auto t = store->tenant("default");
  // The WhatsApp sender creates one contact; an import with its own id creates a duplicate.
  std::vector<InboundWrite> batch = {makeInbound("default", "acc", "15551112222", "W1", "hi", 1)};
  auto r = store->storeInbound(batch);
  ASSERT_TRUE(r.ok());
  const auto whatsappContact = (*r)[0].contact;
  sdk::Contact crm;
  crm.id = "crm-42";
  crm.phone = "+1 555 111 2222";
  crm.name = "Bob from CRM";
  crm.tags = {"customer"};
  crm.fields = {{"tier", "gold"}};
  ASSERT_TRUE(t->upsertContact(crm).ok());
  sdk::Contact other;
  other.id = "other";
  other.phone = "15559998888";
  ASSERT_TRUE(t->upsertContact(other).ok());
  auto dups = store->findDuplicateContacts("default");
  ASSERT_TRUE(dups.ok()) << dups.error().describe();
  ASSERT_EQ(dups->size(), 1u);
  EXPECT_EQ((*dups)[0].size(), 2u);
  EXPECT_TRUE(store->findDuplicateContacts("another")->empty());

  auto merged = store->mergeContacts("default", "crm-42", whatsappContact);
  ASSERT_TRUE(merged.ok()) << merged.error().describe();
  EXPECT_EQ(merged->id, "crm-42");
  EXPECT_EQ(merged->name, "Bob from CRM");  // keep's value wins
  EXPECT_EQ(merged->jid, "15551112222@s.whatsapp.net");  // filled from the dropped one
  EXPECT_EQ(merged->fields.at("tier"), "gold");
  EXPECT_FALSE(t->getContact(whatsappContact)->has_value());
  EXPECT_EQ((*t->getConversation((*r)[0].conversation))->contact, "crm-42");
  EXPECT_TRUE(store->findDuplicateContacts("default")->empty());
  // New messages from that number land on the surviving contact.
  std::vector<InboundWrite> next = {makeInbound("default", "acc", "15551112222", "W2", "again", 2)};
  EXPECT_EQ((*store->storeInbound(next))[0].contact, "crm-42");
  EXPECT_FALSE(store->mergeContacts("default", "crm-42", "crm-42").ok());
  EXPECT_FALSE(store->mergeContacts("default", "crm-42", "missing").ok());
}

TEST_P(StorageTest, CsvImportReportsBadRowsAndRoundTrips) {
  auto store = open();
  ASSERT_TRUE(store);
  const std::string csv =
      "phone,name,tags,vip,field:company\n"
      "+1 555 000 0001,Ann,a;b,true,\"Acme, Inc.\"\n"
      "not-a-phone,Bad,,false,\n"
      "15550000002,\"Multi\nLine\",,no,X\n"
      "15550000001,Ann again,,false,\n"
      "15550000003,Short\n"
      "15550000004,Dee,,maybe,\n"
      "\n"
      "15550000005,Eve,,0,\n";
  auto report = store->importContactsCsv("default", csv);
  ASSERT_TRUE(report.ok()) << report.error().describe();
  EXPECT_EQ(report->created, 3);
  EXPECT_EQ(report->updated, 0);
  ASSERT_EQ(report->errors.size(), 4u);
  EXPECT_EQ(report->errors[0].line, 3);
  EXPECT_NE(report->errors[0].message.find("not-a-phone"), std::string::npos);
  EXPECT_EQ(report->errors[1].line, 6);  // the quoted newline moved it down a line
  EXPECT_NE(report->errors[1].message.find("repeats line 2"), std::string::npos);
  EXPECT_EQ(report->errors[2].line, 7);
  EXPECT_EQ(report->errors[3].line, 8);
  auto t = store->tenant("default");
  auto ann = t->findContactByPhone("15550000001");
  ASSERT_TRUE(ann->has_value());
  EXPECT_EQ((*ann)->fields.at("company"), "Acme, Inc.");
  EXPECT_EQ((*ann)->tags, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE((*ann)->vip);
  EXPECT_EQ((*t->findContactByPhone("15550000002"))->name, "Multi\nLine");

  auto exported = store->exportContactsCsv("default");
  ASSERT_TRUE(exported.ok()) << exported.error().describe();
  std::vector<storage::CsvRow> rows;
  std::string error;
  ASSERT_TRUE(storage::parseCsv(*exported, rows, error)) << error;
  EXPECT_EQ(rows.size(), 4u);  // header + 3
  // Importing the export elsewhere gives the same contacts; importing it again updates.
  auto copy = store->importContactsCsv("copy", *exported);
  ASSERT_TRUE(copy.ok()) << copy.error().describe();
  EXPECT_TRUE(copy->errors.empty()) << copy->errors[0].message;
  EXPECT_EQ(copy->created, 3);
  EXPECT_EQ((*store->tenant("copy")->findContactByPhone("15550000001"))->fields.at("company"), "Acme, Inc.");
  auto again = store->importContactsCsv("default", *exported);
  EXPECT_EQ(again->updated, 3);
  EXPECT_EQ(again->created, 0);
  auto badHeader = store->importContactsCsv("default", "phone,colour\n1555,red\n");
  ASSERT_FALSE(badHeader.ok());
  EXPECT_NE(badHeader.error().message.find("colour"), std::string::npos);
}

}  // namespace
}  // namespace switchboard::host::test
