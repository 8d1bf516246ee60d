// Unpredictable 64-bit numbers for upstream query IDs (RFC 5452: an off-path
// attacker must not guess them). Reads the kernel CSPRNG (getrandom) in 4 KiB
// blocks so a query costs a memcpy, not a system call.
#pragma once

#include <sys/random.h>

#include <array>
#include <cstdint>
#include <cstring>

namespace lanlord {

class SecureRandom {
  public:
    std::uint64_t operator()() {
        if (pos_ + 8 > block_.size()) refill();
        std::uint64_t v;
        std::memcpy(&v, block_.data() + pos_, 8);
        pos_ += 8;
        return v;
    }

  private:
    void refill() {
        std::size_t got = 0;
        while (got < block_.size()) {
            ssize_t n = getrandom(block_.data() + got, block_.size() - got, 0);
            if (n > 0) got += static_cast<std::size_t>(n);
        }
        pos_ = 0;
    }
    std::array<std::uint8_t, 4096> block_{};
    std::size_t pos_ = 4096;
};

}  // namespace lanlord
