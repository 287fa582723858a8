// attn/exercise.hpp — what tools/coursework puts in place of a solution.
//
// The reference code never includes this header. In a student copy each marked exercise body is
// replaced by `throw attn::ExerciseNotImplemented("ch2.additive_score");`, so the copy builds and
// a test that reaches the exercise fails with "exercise ch2.additive_score is not implemented yet".
// In a graded copy the submitted and the reference code sit side by side, chosen by
// exercise_under_test (README.md, "Using attn in a course").
#pragma once

#include <cstdlib>
#include <stdexcept>
#include <string>

namespace attn {

struct ExerciseNotImplemented : std::logic_error {
    explicit ExerciseNotImplemented(const std::string& id) : std::logic_error("exercise " + id + " is not implemented yet") {}
};

/// True while the grader runs exercise `id`'s tests (ATTN_EXERCISE_UNDER_TEST=id): then only that
/// exercise runs the submitted code, every other one its reference solution. The variable may
/// name several exercises, separated by commas (`attn_course.py order` runs one exercise's tests
/// with every later exercise taking an unfinished submission).
inline bool exercise_under_test(const char* id) {
    static const std::string under_test = [] {
        const char* value = std::getenv("ATTN_EXERCISE_UNDER_TEST");
        return "," + std::string(value != nullptr ? value : "") + ",";
    }();
    return under_test.find("," + std::string(id) + ",") != std::string::npos;
}

}  // namespace attn
