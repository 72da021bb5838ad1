#include <sodium.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "storage/key_sealer.hpp"
#include "storage_fixture.hpp"

namespace switchboard::host::test {
namespace {

std::string hex(const std::string& bytes) {
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  out.pop_back();
  return out;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// A copied SQLite file (with its WAL) and no key: the private keys must not be in it, in any
// encoding, while ordinary data is (proof that the scan looks at the right bytes).
TEST(StorageSecrets, SqliteFileWithoutKeyHoldsNoPrivateKeys) {
  ASSERT_GE(sodium_init(), 0);
  std::string dir = ::testing::TempDir() + "sb-secrets-XXXXXX";
  ASSERT_NE(::mkdtemp(dir.data()), nullptr);
  const std::string db = dir + "/switchboard.db";
  std::string identityPrivate(32, '\0'), sessionChainKey(32, '\0'), credentialsKey(32, '\0');
  randombytes_buf(identityPrivate.data(), 32);
  randombytes_buf(sessionChainKey.data(), 32);
  randombytes_buf(credentialsKey.data(), 32);
  {
    auto store = openStore(sdk::ConfigValue::ofMap({{"url", sdk::ConfigValue::ofString("sqlite://" + db)},
                                                    {"key_file", sdk::ConfigValue::ofString(dir + "/key")}}));
    ASSERT_TRUE(store.ok()) << store.error().describe();
    auto& s = **store;
    ASSERT_TRUE(s.upsertAccount({"15550000001", "default", "", "", "paired"}).ok());
    ASSERT_TRUE(s.saveDeviceCredentials("15550000001", "noise-private:" + credentialsKey).ok());
    ASSERT_TRUE(s.writeSignal({{SignalWrite::Table::Identity, "15550000001", "self", "identity:" + identityPrivate},
                               {SignalWrite::Table::PreKey, "15550000001", "7", "prekey:" + identityPrivate}})
                    .ok());
    auto w = makeInbound("default", "15550000001", "15551112222", "W1", "visible-marker-6d1f", 1);
    w.signal[0].value = "chain:" + sessionChainKey;
    std::vector<InboundWrite> batch = {w};
    ASSERT_TRUE(s.storeInbound(batch).ok());
    // The store can read them back with the key.
    EXPECT_EQ(**s.loadDeviceCredentials("15550000001"), "noise-private:" + credentialsKey);
    EXPECT_EQ(**s.readSignal(SignalWrite::Table::Session, "15550000001", "15551112222.0"), "chain:" + sessionChainKey);
    // Read the files while the store is still open too: the WAL holds the newest pages.
    std::string bytes = readFile(db) + readFile(db + "-wal");
    EXPECT_TRUE(contains(bytes, "visible-marker-6d1f"));
    for (const auto& secret : {identityPrivate, sessionChainKey, credentialsKey}) {
      EXPECT_FALSE(contains(bytes, secret));
      EXPECT_FALSE(contains(bytes, hex(secret)));
      EXPECT_FALSE(contains(bytes, storage::toBase64(secret).substr(0, 40)));
      EXPECT_FALSE(contains(bytes, storage::toBase64("chain:" + secret).substr(0, 40)));
    }
  }
  std::string bytes = readFile(db) + readFile(db + "-wal");
  EXPECT_TRUE(contains(bytes, "visible-marker-6d1f"));
  for (const auto& secret : {identityPrivate, sessionChainKey, credentialsKey}) {
    EXPECT_FALSE(contains(bytes, secret));
    EXPECT_FALSE(contains(bytes, hex(secret)));
  }
  // The file alone is not enough: another key does not open it.
  std::ofstream(dir + "/other-key") << std::string(64, 'a') << "\n";
  auto other = openStore(sdk::ConfigValue::ofMap({{"url", sdk::ConfigValue::ofString("sqlite://" + db)},
                                                  {"key_file", sdk::ConfigValue::ofString(dir + "/other-key")}}));
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, "storage.wrong_key");
  EXPECT_TRUE(other.error().isFatal());
  std::string cmd = "rm -rf '" + dir + "'";
  (void)std::system(cmd.c_str());
}

TEST_P(StorageTest, WrongOrMissingKeyIsRefused) {
  {
    auto store = open();
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->upsertAccount({"acc", "default", "", "", "paired"}).ok());
    ASSERT_TRUE(store->saveDeviceCredentials("acc", "creds").ok());
  }
  const std::string key = readFile(keyFile_);
  EXPECT_EQ(key.size(), 65u);  // created: 64 hex chars and a newline
  std::ofstream(keyFile_, std::ios::trunc) << std::string(64, 'b');
  auto wrong = openStore(config());
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, "storage.wrong_key");
  std::ofstream(keyFile_, std::ios::trunc) << "short";
  auto bad = openStore(config());
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("64 hex characters"), std::string::npos);
  auto missing = openStore(config({{"key_file", sdk::ConfigValue::ofString(dir_ + "/nope.key")},
                                   {"create_key_file", sdk::ConfigValue::ofBool(false)}}));
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(missing.error().isFatal());
  EXPECT_NE(missing.error().message.find("nope.key"), std::string::npos);
  // A lost key file is not silently replaced by a new key for a database sealed with the old one.
  ASSERT_EQ(std::remove(keyFile_.c_str()), 0);
  auto lost = openStore(config());
  ASSERT_FALSE(lost.ok());
  EXPECT_NE(lost.error().message.find("restore the key file"), std::string::npos) << lost.error().message;
  EXPECT_NE(::access(keyFile_.c_str(), F_OK), 0);
  std::ofstream(keyFile_, std::ios::trunc | std::ios::binary) << key;
  auto right = openStore(config());
  ASSERT_TRUE(right.ok()) << right.error().describe();
  EXPECT_EQ(**(*right)->loadDeviceCredentials("acc"), "creds");
  ASSERT_TRUE((*right)->deleteAccountSecrets("acc").ok());
  EXPECT_FALSE((*right)->loadDeviceCredentials("acc")->has_value());
}

}  // namespace
}  // namespace switchboard::host::test
