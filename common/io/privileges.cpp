#include "common/io/privileges.h"

#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace lanlord::io {

std::string drop_privileges(const std::string& user) {
    if (user.empty() || geteuid() != 0) return "";
    passwd* pw = getpwnam(user.c_str());
    if (!pw) return "unknown user '" + user + "'";
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) return std::string("prctl: ") + std::strerror(errno);
    if (setgroups(0, nullptr) != 0) return std::string("setgroups: ") + std::strerror(errno);
    if (setgid(pw->pw_gid) != 0) return std::string("setgid: ") + std::strerror(errno);
    if (setuid(pw->pw_uid) != 0) return std::string("setuid: ") + std::strerror(errno);
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[2] = {};
    std::uint32_t keep = (1u << CAP_NET_BIND_SERVICE) | (1u << CAP_NET_RAW) | (1u << CAP_NET_ADMIN);
    data[0].permitted = keep;
    data[0].effective = keep;
    if (syscall(SYS_capset, &header, data) != 0) return std::string("capset: ") + std::strerror(errno);
    prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
    return "";
}

}  // namespace lanlord::io

namespace lanlord::io {

std::string primary_group_name(const std::string& user) {
    struct passwd* pw = ::getpwnam(user.c_str());
    if (!pw) return "";
    struct group* gr = ::getgrgid(pw->pw_gid);
    return gr ? gr->gr_name : "";
}

}  // namespace lanlord::io
