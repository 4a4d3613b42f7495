#include "services/cachegen/resolver.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

namespace mm::cachegen {
namespace {

struct Lookup {
  std::vector<std::string> addresses;
  std::string error;
};

Lookup Resolve(const std::string& name) {
  Lookup out;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;  // one entry per address instead of one per socket type
  addrinfo* res = nullptr;
  int rc = getaddrinfo(name.c_str(), nullptr, &hints, &res);
  if (rc != 0) {
    out.error = gai_strerror(rc);
    return out;
  }
  for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
    char buf[INET6_ADDRSTRLEN] = {0};
    const void* addr = nullptr;
    if (ai->ai_family == AF_INET) {
      addr = &reinterpret_cast<const sockaddr_in*>(ai->ai_addr)->sin_addr;
    } else if (ai->ai_family == AF_INET6) {
      addr = &reinterpret_cast<const sockaddr_in6*>(ai->ai_addr)->sin6_addr;
    } else {
      continue;
    }
    if (inet_ntop(ai->ai_family, addr, buf, sizeof buf) == nullptr) continue;
    if (std::find(out.addresses.begin(), out.addresses.end(), buf) == out.addresses.end()) {
      out.addresses.push_back(buf);
    }
  }
  freeaddrinfo(res);
  if (out.addresses.empty()) out.error = "no IPv4 or IPv6 address";
  return out;
}

// Shared between the caller and the worker threads; workers that outlive the deadline keep it
// alive through their shared_ptr.
struct Work {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> names;
  std::deque<size_t> pending;
  std::vector<std::optional<Lookup>> results;
  size_t done = 0;
  bool abandoned = false;
};

void Worker(std::shared_ptr<Work> work) {
  while (true) {  // ends when the queue is empty or the caller gave up
    size_t index;
    {
      std::lock_guard<std::mutex> lock(work->mu);
      if (work->abandoned || work->pending.empty()) return;
      index = work->pending.front();
      work->pending.pop_front();
    }
    Lookup result = Resolve(work->names[index]);
    std::lock_guard<std::mutex> lock(work->mu);
    work->results[index] = std::move(result);
    ++work->done;
    work->cv.notify_all();
  }
}

}  // namespace

ResolveResults SystemResolver::ResolveAll(const std::vector<std::string>& names,
                                          absl::Duration timeout) {
  ResolveResults out;
  if (names.empty()) return out;
  auto work = std::make_shared<Work>();
  work->names = names;
  work->results.resize(names.size());
  for (size_t i = 0; i < names.size(); ++i) work->pending.push_back(i);

  size_t threads = std::min(names.size(), static_cast<size_t>(parallelism_));
  std::vector<std::thread> workers;
  workers.reserve(threads);
  for (size_t i = 0; i < threads; ++i) workers.emplace_back(Worker, work);

  bool finished;
  {
    std::unique_lock<std::mutex> lock(work->mu);
    finished = work->cv.wait_for(lock, absl::ToChronoMilliseconds(timeout),
                                 [&] { return work->done == work->names.size(); });
    work->abandoned = true;
    for (size_t i = 0; i < names.size(); ++i) {
      if (!work->results[i]) {
        out.errors[names[i]] = "not resolved within the DNS timeout";
      } else if (!work->results[i]->error.empty()) {
        out.errors[names[i]] = work->results[i]->error;
      } else {
        out.addresses[names[i]] = work->results[i]->addresses;
      }
    }
  }
  for (auto& t : workers) {
    if (finished) {
      t.join();
    } else {
      t.detach();  // stuck in getaddrinfo; it exits on its own when the lookup returns
    }
  }
  return out;
}

}  // namespace mm::cachegen
