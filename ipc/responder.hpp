#pragma once
// How a command handler answers: progress lines and one final response, from any thread
// and at any later time (a backup answers when its job is committed).

#include <string>

#include <nlohmann/json.hpp>

#include "util/error.hpp"
#include "util/fd.hpp"

namespace mv::ipc {

class Responder {
public:
    virtual ~Responder() = default;
    /// Sends a progress line. Cheap; lines may be coalesced when the client reads slowly.
    virtual void progress(nlohmann::json progress) = 0;
    /// Sends the final successful response. A valid `fd` travels with it (SCM_RIGHTS).
    virtual void succeed(nlohmann::json result, UniqueFd fd = UniqueFd()) = 0;
    /// Sends the final error response.
    virtual void fail(ErrorCode code, std::string message) = 0;
    /// False once the client has hung up: long work for it may stop early.
    virtual bool connected() const = 0;
};

} // namespace mv::ipc
