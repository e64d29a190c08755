// Lock-free single-producer single-consumer rings for handing audio to and
// from the device callback.
//
// SpscRing<T>: a bounded FIFO of trivially copyable T. Exactly one producer
// thread calls write()/push(); exactly one consumer thread calls read()/pop()/
// discard(). Neither side allocates, locks or blocks after construction (the
// constructor allocates the storage once), so either side may be the audio
// callback. Capacity is rounded up to a power of two.
//
// LatestValue<T>: a triple buffer. One writer publishes whole values, one
// reader takes the newest published value; neither blocks, and the reader
// never sees a half-written value. Used for per-voice spatial parameters.
#pragma once
#include <atomic>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <span>
#include <type_traits>

namespace caseroom::audio {

inline constexpr std::size_t kCacheLine = 64;

template <typename T>
class SpscRing {
    static_assert(std::is_trivially_copyable_v<T>, "SpscRing holds trivially copyable values");

public:
    explicit SpscRing(std::size_t minCapacity) {
        std::size_t cap = 1;
        while (cap < minCapacity) cap <<= 1;
        buf_ = std::make_unique<T[]>(cap);
        mask_ = cap - 1;
    }
    SpscRing(const SpscRing&) = delete;
    SpscRing& operator=(const SpscRing&) = delete;

    [[nodiscard]] std::size_t capacity() const noexcept { return mask_ + 1; }

    // Producer: copies up to data.size() values; returns how many fit.
    std::size_t write(std::span<const T> data) noexcept {
        const std::size_t head = head_.load(std::memory_order_relaxed);
        const std::size_t tail = tail_.load(std::memory_order_acquire);
        const std::size_t space = capacity() - (head - tail);
        const std::size_t n = data.size() < space ? data.size() : space;
        copyIn(head, data.data(), n);
        head_.store(head + n, std::memory_order_release);
        return n;
    }
    bool push(const T& v) noexcept { return write(std::span<const T>(&v, 1)) == 1; }

    // Consumer: copies up to out.size() values out; returns how many were there.
    std::size_t read(std::span<T> out) noexcept {
        const std::size_t tail = tail_.load(std::memory_order_relaxed);
        const std::size_t head = head_.load(std::memory_order_acquire);
        const std::size_t avail = head - tail;
        const std::size_t n = out.size() < avail ? out.size() : avail;
        copyOut(tail, out.data(), n);
        tail_.store(tail + n, std::memory_order_release);
        return n;
    }
    bool pop(T& v) noexcept { return read(std::span<T>(&v, 1)) == 1; }
    // Consumer: drops up to n values; returns how many were dropped.
    std::size_t discard(std::size_t n) noexcept {
        const std::size_t tail = tail_.load(std::memory_order_relaxed);
        const std::size_t avail = head_.load(std::memory_order_acquire) - tail;
        if (n > avail) n = avail;
        tail_.store(tail + n, std::memory_order_release);
        return n;
    }

    // Exact for the consumer, a lower bound for the producer.
    [[nodiscard]] std::size_t readAvailable() const noexcept {
        return head_.load(std::memory_order_acquire) - tail_.load(std::memory_order_acquire);
    }
    // Exact for the producer, a lower bound for the consumer.
    [[nodiscard]] std::size_t writeAvailable() const noexcept { return capacity() - readAvailable(); }

private:
    void copyIn(std::size_t at, const T* src, std::size_t n) noexcept {
        const std::size_t i = at & mask_;
        const std::size_t first = n < capacity() - i ? n : capacity() - i;
        if (first) std::memcpy(&buf_[i], src, first * sizeof(T));
        if (n > first) std::memcpy(&buf_[0], src + first, (n - first) * sizeof(T));
    }
    void copyOut(std::size_t at, T* dst, std::size_t n) const noexcept {
        const std::size_t i = at & mask_;
        const std::size_t first = n < capacity() - i ? n : capacity() - i;
        if (first) std::memcpy(dst, &buf_[i], first * sizeof(T));
        if (n > first) std::memcpy(dst + first, &buf_[0], (n - first) * sizeof(T));
    }

    std::unique_ptr<T[]> buf_;
    std::size_t mask_ = 0;
    alignas(kCacheLine) std::atomic<std::size_t> head_{0}; // next write index (producer owns)
    alignas(kCacheLine) std::atomic<std::size_t> tail_{0}; // next read index (consumer owns)
};

template <typename T>
class LatestValue {
    static_assert(std::is_trivially_copyable_v<T>, "LatestValue holds trivially copyable values");

public:
    LatestValue() = default;
    explicit LatestValue(const T& initial) { slots_[0] = slots_[1] = slots_[2] = initial; }

    // Writer thread only.
    void publish(const T& v) noexcept {
        slots_[back_] = v;
        const std::uint32_t old = middle_.exchange(back_ | kFresh, std::memory_order_acq_rel);
        back_ = old & kIndexMask;
    }
    // Reader thread only: true and `out` set when a value newer than the last
    // one read was published; otherwise `out` keeps the last value read.
    bool take(T& out) noexcept {
        bool fresh = false;
        if (middle_.load(std::memory_order_relaxed) & kFresh) {
            const std::uint32_t old = middle_.exchange(front_, std::memory_order_acq_rel);
            front_ = old & kIndexMask;
            fresh = true;
        }
        out = slots_[front_];
        return fresh;
    }

private:
    static constexpr std::uint32_t kFresh = 4;
    static constexpr std::uint32_t kIndexMask = 3;
    T slots_[3]{};
    std::uint32_t back_ = 0;                    // writer's slot
    alignas(kCacheLine) std::atomic<std::uint32_t> middle_{1};
    alignas(kCacheLine) std::uint32_t front_ = 2; // reader's slot
};

} // namespace caseroom::audio
