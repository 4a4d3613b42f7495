#include "services/cachegen/generator.h"

#include <google/protobuf/io/zero_copy_stream_impl.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/cachegen/cache_reader.h"
#include "services/cachegen/cache_writer.h"
#include "services/cachegen/metrics.h"
#include "services/cachegen/resolver.h"
#include "services/cachegen/snapshot_source.h"
#include "services/common/atomic_file.h"
#include "services/common/log.h"
#include "services/common/status_macros.h"

namespace mm::cachegen {
namespace {

// Counts entries per field, to check the file against what the builder wrote.
class CountingVisitor final : public CacheVisitor {
 public:
  void StringString(int field, const mirrormanager::StringStringMap&) override { ++n[field]; }
  void StringRepeatedInt(int field, const mirrormanager::StringRepeatedIntMap&) override {
    ++n[field];
  }
  void IntString(int field, const mirrormanager::IntStringMap&) override { ++n[field]; }
  void FileDetails(const mirrormanager::FileDetailsCacheDirectoryType&) override {
    ++n[kFileDetailsCache];
  }
  void StringBool(int field, const mirrormanager::StringBoolMap&) override { ++n[field]; }
  void IntRepeatedInt(int field, const mirrormanager::IntRepeatedIntMap&) override { ++n[field]; }
  void IntInt(int field, const mirrormanager::IntIntMap&) override { ++n[field]; }
  void IntRepeatedString(int field, const mirrormanager::IntRepeatedStringMap&) override {
    ++n[field];
  }
  void MirrorList(const mirrormanager::MirrorListCacheType&) override { ++n[kMirrorListCache]; }
  int64_t n[kLastCacheField + 1] = {};
};

bool Retryable(const absl::Status& s) {
  return absl::IsUnavailable(s) || absl::IsDeadlineExceeded(s);
}

}  // namespace

Generator::Generator(GenerateOptions options, SnapshotSource& source, HostResolver& resolver,
                     CachegenMetrics* metrics)
    : options_(std::move(options)), source_(source), resolver_(resolver), metrics_(metrics) {}

void Generator::Stop() {
  stop_ = true;
  source_.Cancel();
  std::lock_guard<std::mutex> lock(mu_);
  cv_.notify_all();
}

absl::StatusOr<GenerateResult> Generator::Run() {
  absl::Time start = absl::Now();
  RemoveLeftovers();
  absl::Status status;
  int attempts = std::max(1, options_.attempts);
  for (int attempt = 0; attempt < attempts; ++attempt) {
    if (attempt > 0) {
      absl::Duration delay =
          options_.backoff ? options_.backoff(attempt - 1) : absl::ZeroDuration();
      MM_LOG(WARNING) << "cache generation attempt " << attempt << " failed (" << status
                      << "); retrying in " << delay;
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, absl::ToChronoNanoseconds(delay), [this] { return stop_.load(); });
    }
    if (stop_) {
      status = absl::CancelledError("stopped by a signal");
      break;
    }
    absl::StatusOr<GenerateResult> result = RunOnce();
    if (result.ok()) {
      result->duration = absl::Now() - start;
      result->attempts = attempt + 1;
      if (metrics_ != nullptr) {
        metrics_->RecordSuccess(result->stats, result->bytes, result->duration, absl::Now());
      }
      return result;
    }
    status = result.status();
    if (stop_ || !Retryable(status)) break;
  }
  if (stop_ && !absl::IsCancelled(status)) {
    status = absl::CancelledError(absl::StrCat("stopped by a signal: ", status.message()));
  }
  if (metrics_ != nullptr) metrics_->RecordFailure(absl::Now() - start);
  return status;
}

void Generator::RemoveLeftovers() {
  // A run killed with SIGKILL (OOM killer, node loss) leaves its temporary file: at Fedora
  // scale as large as the cache itself. Live writers' files are locked and stay.
  auto stale = common::RemoveStaleTemporaryFiles(options_.outfile, options_.stale_temp_age);
  if (!stale.ok()) {
    MM_LOG(DEBUG) << "no stale temporary files removed: " << stale.status();
  } else if (stale->removed > 0) {
    MM_LOG(INFO) << "removed " << stale->removed << " temporary file(s) of interrupted runs ("
                 << stale->bytes << " bytes) next to " << options_.outfile;
  }
}

absl::StatusOr<GenerateResult> Generator::RunOnce() {
  MM_ASSIGN_OR_RETURN(common::AtomicFile file, common::AtomicFile::Create(options_.outfile));
  GenerateResult result;
  {
    google::protobuf::io::FileOutputStream out(file.fd(), 1 << 20);
    {
      CacheWriter writer(&out);
      BuildOptions build;
      build.time = static_cast<uint64_t>(absl::ToUnixSeconds(absl::Now()));
      build.dns_timeout = options_.dns_timeout;
      CacheBuilder builder(build, resolver_, writer);
      absl::Time start = absl::Now();
      MM_RETURN_IF_ERROR(source_.Stream([&](const SnapshotChunk& chunk) -> absl::Status {
        if (stop_) return absl::CancelledError("stopped by a signal");
        return builder.Consume(chunk);
      }));
      absl::Time streamed = absl::Now();
      MM_RETURN_IF_ERROR(builder.Finish());
      MM_RETURN_IF_ERROR(writer.Finish());
      MM_LOG(DEBUG) << "snapshot streamed in " << absl::FormatDuration(streamed - start)
                    << ", remaining fields written in "
                    << absl::FormatDuration(absl::Now() - streamed);
      result.stats = builder.stats();
      result.bytes = writer.bytes_written();
    }
    if (!out.Flush()) {
      return absl::InternalError(
          absl::StrCat("writing ", file.temp_path(), ": ", std::strerror(out.GetErrno())));
    }
  }
  if (options_.verify) {
    absl::Time start = absl::Now();
    CountingVisitor counts;
    absl::Status s = ReadCacheFile(file.temp_path(), counts);
    if (!s.ok()) {
      return absl::InternalError(absl::StrCat("the new cache does not read back: ", s.message()));
    }
    for (int f = kNetblockCountryCache; f <= kLastCacheField; ++f) {
      int64_t expected = result.stats.entries[CacheFieldName(f)];
      if (counts.n[f] != expected) {
        return absl::InternalError(absl::StrCat("the new cache holds ", counts.n[f], " ",
                                                CacheFieldName(f), " entries, ", expected,
                                                " were written"));
      }
    }
    MM_LOG(DEBUG) << "new cache read back in " << absl::FormatDuration(absl::Now() - start);
  }
  MM_RETURN_IF_ERROR(file.Commit());
  MM_LOG(INFO) << "wrote " << options_.outfile << ": " << result.bytes << " bytes, "
               << result.stats.entries["MirrorListCache"] << " directories, "
               << result.stats.entries["HostBandwidthCache"] << " hosts, "
               << result.stats.entries["FileDetailsCache"] << " directories with file details";
  if (!result.stats.dropped.empty()) {
    MM_LOG(INFO) << "left out of the cache: "
                 << absl::StrJoin(result.stats.dropped, ", ", absl::PairFormatter("="));
  }
  return result;
}

}  // namespace mm::cachegen
