// Progress of a long command on stderr: a bar with the share done and an
// estimate of the time left when stderr is a terminal, else one plain line
// at most every `period` seconds ("caseroom-replay info: 42 % (16 of 38 blocks), about 12s left");
// none with --quiet. The tool reads the clock here (a CLI, not engine code).
// Thread rule: one thread.
#pragma once
#include <chrono>
#include <cstdio>
#include <string>

namespace caseroom::replay {

enum class ProgressMode : std::uint8_t { Quiet, Bar, Lines, Count };

class Progress {
public:
    Progress(ProgressMode mode, std::string label, double periodSeconds = 5.0);
    ~Progress() { done(); }
    // done / total in `unit` ("blocks"; nullptr: a share only).
    void update(double done, double total, const char* unit);
    // Ends the bar's line (idempotent).
    void done();
    // Bar when stderr is a terminal, else Lines; Quiet when asked.
    [[nodiscard]] static ProgressMode modeFor(bool quiet);

private:
    ProgressMode mode_;
    std::string label_;
    double period_;
    std::chrono::steady_clock::time_point start_, last_;
    bool shown_ = false;
};

} // namespace caseroom::replay
