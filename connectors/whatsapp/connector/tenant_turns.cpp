#include "connector/tenant_turns.hpp"

#include <algorithm>

namespace switchboard::whatsapp::connector {

TenantTurns::TenantTurns(std::size_t concurrent) : state_(std::make_shared<State>()) {
  state_->free = std::max<std::size_t>(1, concurrent);
}

// The turn keeps the state alive, so a turn outliving the connector's gate still frees safely.
TenantTurns::Turn TenantTurns::makeTurn(const std::shared_ptr<State>& state) {
  return Turn(static_cast<void*>(state.get()), [state](void*) { release(state); });
}

void TenantTurns::request(const std::string& tenant, Grant grant) {
  {
    std::lock_guard lock(state_->mutex);
    if (state_->closed) {
      return;
    }
    if (state_->free == 0) {
      auto& queue = state_->queues[tenant];
      if (queue.empty()) {
        state_->rotation.push_back(tenant);
      }
      queue.push_back(std::move(grant));
      ++state_->waiting;
      return;
    }
    --state_->free;
  }
  grant(makeTurn(state_));
}

TenantTurns::Turn TenantTurns::tryTake() {
  {
    std::lock_guard lock(state_->mutex);
    if (state_->closed || state_->free == 0 || !state_->rotation.empty()) {
      return nullptr;
    }
    --state_->free;
  }
  return makeTurn(state_);
}

void TenantTurns::release(const std::shared_ptr<State>& state) {
  Grant next;
  {
    std::lock_guard lock(state->mutex);
    if (state->closed || state->rotation.empty()) {
      ++state->free;
      return;
    }
    // The turn passes straight to the tenant whose go it is; it goes to the back of the rotation.
    const std::string tenant = std::move(state->rotation.front());
    state->rotation.pop_front();
    auto it = state->queues.find(tenant);
    next = std::move(it->second.front());
    it->second.pop_front();
    --state->waiting;
    if (it->second.empty()) {
      state->queues.erase(it);
    } else {
      state->rotation.push_back(tenant);
    }
  }
  next(makeTurn(state));
}

void TenantTurns::close() {
  std::map<std::string, std::deque<Grant>> dropped;
  {
    std::lock_guard lock(state_->mutex);
    state_->closed = true;
    dropped.swap(state_->queues);
    state_->rotation.clear();
    state_->waiting = 0;
  }
  // `dropped` is destroyed here, outside the lock.
}

std::size_t TenantTurns::waiting() const {
  std::lock_guard lock(state_->mutex);
  return state_->waiting;
}

}  // namespace switchboard::whatsapp::connector
