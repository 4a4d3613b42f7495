#pragma once
// Local status helpers: Debian's abseil (20220623) has no RETURN_IF_ERROR / ASSIGN_OR_RETURN.

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define MM_STATUS_CONCAT_INNER_(a, b) a##b
#define MM_STATUS_CONCAT_(a, b) MM_STATUS_CONCAT_INNER_(a, b)

// Returns from the current function when `expr` (an absl::Status) is not OK.
#define MM_RETURN_IF_ERROR(expr)                  \
  do {                                            \
    ::absl::Status mm_status_ = (expr);           \
    if (!mm_status_.ok()) return mm_status_;      \
  } while (0)

// `lhs` = value of `rexpr` (an absl::StatusOr<T>), or returns its error.
#define MM_ASSIGN_OR_RETURN(lhs, rexpr) \
  MM_ASSIGN_OR_RETURN_IMPL_(MM_STATUS_CONCAT_(mm_statusor_, __LINE__), lhs, rexpr)
#define MM_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                              \
  if (!tmp.ok()) return std::move(tmp).status();   \
  lhs = std::move(tmp).value()
