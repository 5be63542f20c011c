// modelvaultd: parse the command line, load the config, run the daemon.
#include "daemon/main_options.hpp"

int main(int argc, char** argv) {
    return mv::daemon::daemon_main(argc, argv);
}
