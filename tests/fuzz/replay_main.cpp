// A main() for the fuzz harnesses when libFuzzer is not available (GCC
// builds): runs LLVMFuzzerTestOneInput once per file given, or per file in
// each folder given. Exit 0 when every input ran; a crash is the failure.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {
int runFile(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "cannot read %s\n", p.c_str());
        return 1;
    }
    std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    (void)LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
    return 0;
}
} // namespace

int main(int argc, char** argv) {
    int bad = 0, runs = 0;
    for (int i = 1; i < argc; ++i) {
        const std::filesystem::path p = argv[i];
        if (std::filesystem::is_directory(p)) {
            for (const auto& e : std::filesystem::directory_iterator(p))
                if (e.is_regular_file()) { bad += runFile(e.path()); ++runs; }
        } else {
            bad += runFile(p);
            ++runs;
        }
    }
    std::printf("replayed %d inputs\n", runs);
    return bad == 0 && runs > 0 ? 0 : 1;
}
