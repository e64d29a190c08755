#include "session/audit_log.h"

#include <cerrno>
#include <cstring>
#include <memory>

namespace caseroom::session {

core::Result<std::unique_ptr<FileAudit>> FileAudit::open(const std::string& path, std::function<std::uint64_t()> unixClock) {
    std::FILE* f = std::fopen(path.c_str(), "a");
    if (!f) return core::Error{path + ": cannot open audit log: " + std::strerror(errno)};
    return std::unique_ptr<FileAudit>(new FileAudit(f, std::move(unixClock)));
}

FileAudit::~FileAudit() {
    if (file_) std::fclose(file_);
}

void FileAudit::record(const AuditEntry& e) {
    // Tabs and newlines inside fields would break the one-line format.
    auto clean = [](std::string s) {
        for (char& c : s)
            if (c == '\t' || c == '\n' || c == '\r') c = ' ';
        return s;
    };
    std::fprintf(file_, "%llu\tuser=%llu\tpeer=%u\twho=%s\troom=%s\twhat=%s\toutcome=%s\n",
                 static_cast<unsigned long long>(clock_ ? clock_() : 0), static_cast<unsigned long long>(e.userId), e.peer,
                 clean(e.who).c_str(), clean(e.room).c_str(), clean(e.what).c_str(), clean(e.outcome).c_str());
    std::fflush(file_);
}

} // namespace caseroom::session
