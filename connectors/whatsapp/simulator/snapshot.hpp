#pragma once

// The simulator's state on disk: one JSON file (state.json in the state directory) holding the
// root key, accounts with their phones' keys, companions with their keys and unacknowledged
// stanzas, and groups. Written whole (temporary file + rename) after pairing, account changes and
// on stop, so a restarted simulator keeps its linked devices and its trust root.

#include <optional>
#include <string>

#include "simulator/state.hpp"

namespace switchboard::wasim {

struct Snapshot {
  std::optional<World> world;  ///< nothing when there was no file yet
  std::optional<whatsapp::KeyPair> root;
};

std::string snapshotText(const World& world, const whatsapp::KeyPair& root);
sdk::Status writeSnapshot(const std::string& dir, const std::string& text);
sdk::Result<Snapshot> loadSnapshot(const std::string& dir);
/// Parses snapshot text (exposed for tests).
sdk::Result<Snapshot> parseSnapshot(const std::string& text);

}  // namespace switchboard::wasim
