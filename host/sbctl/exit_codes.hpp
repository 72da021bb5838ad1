#pragma once

// sbctl's exit codes, which scripts may rely on (README, `sbctl --help`).

namespace switchboard::sbctl {

enum ExitCode : int {
  kOk = 0,           ///< done
  kUsage = 1,        ///< bad command line, or a configuration problem on this side (token file)
  kApiError = 2,     ///< the API answered with an error (4xx other than 401/403, 5xx), or not ready
  kAuth = 3,         ///< 401 or 403: no token, a bad one, or a role too small
  kUnreachable = 4,  ///< no answer: connection refused, timeout, TLS failure
  kNotFound = 5,     ///< the object named does not exist (404)
  kTimedOut = 6,     ///< a wait ran out (`pair` not linked in time)
};

}  // namespace switchboard::sbctl
