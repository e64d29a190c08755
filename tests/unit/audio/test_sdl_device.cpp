// The SDL2 adapter on SDL's "dummy" driver (no sound card needed): devices
// enumerate, open, call back at 48 kHz and close cleanly.
#include <catch2/catch.hpp>


#include <atomic>
#include <chrono>
#include <cstdlib>
#include <thread>

#include "platform/audio/sdl_audio_device.h"

using namespace caseroom;

TEST_CASE("sdl audio device runs callbacks on the dummy driver", "[audio][platform]") {
    setenv("SDL_AUDIODRIVER", "dummy", 1);
    auto list = platform::listAudioDevices();
    REQUIRE(list.ok());
    CHECK(list->driver == "dummy");

    struct Cb final : audio::AudioCallback {
        std::atomic<std::size_t> played{0}, captured{0};
        void onPlayback(std::span<float> s) noexcept override {
            for (float& x : s) x = 0.0f;
            played += s.size() / 2;
        }
        void onCapture(std::span<const float> m) noexcept override { captured += m.size(); }
    } cb;
    audio::AudioDeviceDesc desc;
    desc.capture = true;
    platform::SdlAudioDevice dev(desc);
    auto st = dev.start(cb);
    REQUIRE(st.ok());
    for (int i = 0; i < 100 && (cb.played == 0 || cb.captured == 0); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    dev.stop();
    CHECK(cb.played > 0);
    CHECK(cb.captured > 0);
    const std::size_t after = cb.played;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK(cb.played == after); // no callback after stop()
}
