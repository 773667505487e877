// The generator's only source of randomness: xoshiro256** seeded through splitmix64, and integer
// sampling on top of it. Everything is fixed-width integer arithmetic, so a seed gives the same
// stream on every compiler, standard library and machine (std::*_distribution does not).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>
#include <vector>

namespace lambdaport::pipeline::generate {

/// One step of splitmix64: advances `state` and returns the next 64-bit value.
constexpr std::uint64_t splitmix64(std::uint64_t& state) {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/// xoshiro256** (Blackman and Vigna) with small integer helpers. Not thread-safe; one per file.
class rng {
  public:
    explicit rng(std::uint64_t seed) {
        for (auto& word : state_) {
            word = splitmix64(seed);
        }
    }

    std::uint64_t next() {
        const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
        const std::uint64_t t = state_[1] << 17;
        state_[2] ^= state_[0];
        state_[3] ^= state_[1];
        state_[1] ^= state_[2];
        state_[0] ^= state_[3];
        state_[2] ^= t;
        state_[3] = rotl(state_[3], 45);
        return result;
    }

    /// Uniform in [0, n) for 0 < n < 2^32. Scales the top 32 bits instead of taking a modulo: no
    /// 128-bit arithmetic, and a bias below 2^-32 × n, which no statistic here can see.
    std::uint32_t below(std::uint32_t n) {
        return static_cast<std::uint32_t>(((next() >> 32) * n) >> 32);
    }

    /// Uniform in [lo, hi], both included; hi - lo < 2^32 - 1.
    std::int64_t between(std::int64_t lo, std::int64_t hi) {
        return lo + below(static_cast<std::uint32_t>(hi - lo + 1));
    }

    /// True with probability per_10000 / 10000.
    bool chance(std::uint32_t per_10000) { return below(10000) < per_10000; }

  private:
    static constexpr std::uint64_t rotl(std::uint64_t x, int k) {
        return (x << k) | (x >> (64 - k));
    }

    std::uint64_t state_[4];
};

/// Picks an index with probability proportional to its integer weight: the way every skewed shape
/// here is drawn, with no floating point. The result equals a binary search of the cumulative sums
/// for random.below(total); a guide table of 1024 buckets only finds it faster.
class weighted_table {
  public:
    weighted_table() = default;
    weighted_table(std::initializer_list<std::uint32_t> weights)
        : weighted_table(std::vector<std::uint32_t>(weights)) {}
    explicit weighted_table(const std::vector<std::uint32_t>& weights) {
        std::uint32_t sum = 0;
        cumulative_.reserve(weights.size());
        for (const auto w : weights) {
            sum += w;
            cumulative_.push_back(sum);
        }
        for (std::uint64_t bucket = 0; bucket < guide_size; ++bucket) {
            // The smallest value below() can return for a top-32-bit word in this bucket.
            const auto low = static_cast<std::uint32_t>(((bucket << guide_shift) * sum) >> 32);
            guide_[bucket] = static_cast<std::uint32_t>(
                std::upper_bound(cumulative_.begin(), cumulative_.end(), low) -
                cumulative_.begin());
        }
    }

    std::size_t pick(rng& random) const {
        // Same arithmetic as rng::below(total), keeping the word to find the bucket.
        const std::uint64_t word = random.next() >> 32;
        const auto x = static_cast<std::uint32_t>((word * cumulative_.back()) >> 32);
        std::size_t i = guide_[word >> guide_shift];
        while (cumulative_[i] <= x) {
            ++i;
        }
        return i;
    }

    std::size_t size() const { return cumulative_.size(); }

  private:
    static constexpr int guide_shift = 22;  // 2^32 words / 1024 buckets
    static constexpr std::size_t guide_size = 1024;

    std::vector<std::uint32_t> cumulative_;
    std::array<std::uint32_t, guide_size> guide_{};
};

}  // namespace lambdaport::pipeline::generate
