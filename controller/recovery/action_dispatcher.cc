#include "controller/recovery/action_dispatcher.h"

namespace mfr::controller::recovery {

void AgentSession::Push(mfr::v1::Action action) {
  absl::MutexLock lock(&mu_);
  if (!closed_) queue_.push_back(std::move(action));
}

std::optional<mfr::v1::Action> AgentSession::Pop(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return closed_ || !queue_.empty();
  };
  mu_.AwaitWithTimeout(absl::Condition(&ready), timeout);
  if (closed_ || queue_.empty()) return std::nullopt;
  mfr::v1::Action action = std::move(queue_.front());
  queue_.pop_front();
  return action;
}

void AgentSession::Close() {
  {
    absl::MutexLock lock(&mu_);
    if (closed_) return;
    closed_ = true;
    queue_.clear();
  }
  if (cancel_) cancel_();
}

bool AgentSession::closed() {
  absl::MutexLock lock(&mu_);
  return closed_;
}

void ActionDispatcher::Attach(const std::shared_ptr<AgentSession>& session) {
  std::shared_ptr<AgentSession> older;
  {
    absl::MutexLock lock(&mu_);
    auto& slot = sessions_[session->host()];
    older = std::move(slot);
    slot = session;
  }
  if (older) older->Close();
}

void ActionDispatcher::Detach(const std::shared_ptr<AgentSession>& session) {
  absl::MutexLock lock(&mu_);
  auto it = sessions_.find(session->host());
  if (it != sessions_.end() && it->second == session) sessions_.erase(it);
}

void ActionDispatcher::Offer(const std::string& host,
                             const std::vector<mfr::v1::Action>& actions) {
  if (actions.empty()) return;
  std::shared_ptr<AgentSession> session;
  {
    absl::MutexLock lock(&mu_);
    auto it = sessions_.find(host);
    if (it == sessions_.end()) return;
    session = it->second;
  }
  for (const auto& a : actions) session->Push(a);
}

bool ActionDispatcher::Connected(const std::string& host) {
  absl::MutexLock lock(&mu_);
  return sessions_.count(host) > 0;
}

size_t ActionDispatcher::ConnectedCount() {
  absl::MutexLock lock(&mu_);
  return sessions_.size();
}

void ActionDispatcher::CloseAll() {
  std::map<std::string, std::shared_ptr<AgentSession>> sessions;
  {
    absl::MutexLock lock(&mu_);
    sessions.swap(sessions_);
  }
  for (auto& [host, session] : sessions) session->Close();
}

}  // namespace mfr::controller::recovery
