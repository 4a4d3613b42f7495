#pragma once
// Small helpers shared by the stores' SQL code. Only included by store .cc files.

#include <optional>
#include <string>

#include <pqxx/pqxx>

namespace mm::catalog {

template <typename T>
std::optional<T> Opt(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return f.as<T>();
}

// Timestamps are naive UTC in MirrorManager2's schema; these SQL fragments convert them.
//   SELECT ... EPOCH(col) ...   /   ... = FROM_EPOCH($1)
#define MM_SQL_EPOCH(col) "EXTRACT(EPOCH FROM " col ")::bigint"
#define MM_SQL_FROM_EPOCH(param) "(to_timestamp(" param ") AT TIME ZONE 'utc')"

}  // namespace mm::catalog
