#pragma once
// GoogleTest matchers for absl::Status / absl::StatusOr (Debian's abseil ships none).
//   EXPECT_THAT(s, IsOk());  EXPECT_THAT(s, StatusIs(absl::StatusCode::kNotFound));
//   ASSERT_OK_AND_ASSIGN(auto v, MakeV());

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace mm::testing {

inline const absl::Status& GetStatus(const absl::Status& s) { return s; }
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& s) {
  return s.status();
}

MATCHER(IsOk, "is OK") {
  const absl::Status& s = GetStatus(arg);
  if (!s.ok()) *result_listener << "status: " << s;
  return s.ok();
}

MATCHER_P(StatusIs, code, "has status code " + ::testing::PrintToString(code)) {
  const absl::Status& s = GetStatus(arg);
  *result_listener << "status: " << s;
  return s.code() == code;
}

MATCHER_P2(StatusIs, code, message_matcher, "") {
  const absl::Status& s = GetStatus(arg);
  *result_listener << "status: " << s;
  return s.code() == code &&
         ::testing::ExplainMatchResult(message_matcher, std::string(s.message()), result_listener);
}

}  // namespace mm::testing

#define MM_TESTING_CONCAT_INNER_(a, b) a##b
#define MM_TESTING_CONCAT_(a, b) MM_TESTING_CONCAT_INNER_(a, b)
#define ASSERT_OK(expr) ASSERT_THAT(expr, ::mm::testing::IsOk())
#define EXPECT_OK(expr) EXPECT_THAT(expr, ::mm::testing::IsOk())
#define ASSERT_OK_AND_ASSIGN(lhs, rexpr) \
  ASSERT_OK_AND_ASSIGN_IMPL_(MM_TESTING_CONCAT_(statusor_, __LINE__), lhs, rexpr)
#define ASSERT_OK_AND_ASSIGN_IMPL_(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                               \
  ASSERT_THAT(tmp.status(), ::mm::testing::IsOk()); \
  lhs = std::move(tmp).value()
