#pragma once
// Process helpers shared by the benchmarks (not a test library: benchmarks link no GoogleTest).

#include <sys/types.h>

#include <string>
#include <vector>

namespace mm::bench {

// Starts argv[0] (an absolute path) with `env` ("KEY=value") added to this process's
// environment, an empty signal mask, and stdout/stderr appended to `log`. Returns the child's
// pid (-1 when fork fails); the child exits 127 when exec fails.
pid_t Spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env,
            const std::string& log);

}  // namespace mm::bench
