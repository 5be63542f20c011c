// modelvaultctl: the command-line client of modelvaultd.
#include <string>
#include <vector>

#include "ctl/app.hpp"

int main(int argc, char** argv) {
    return mv::ctl::ctl_main(std::vector<std::string>(argv + 1, argv + argc));
}
