// usable_cpus() follows the affinity mask (taskset), not the machine's CPU count.
#include "common/tool.h"

#include <gtest/gtest.h>
#include <sched.h>

#include <thread>

namespace fk {
namespace {

TEST(Tool, UsableCpusFollowTheAffinityMask) {
    cpu_set_t all;
    ASSERT_EQ(sched_getaffinity(0, sizeof all, &all), 0);
    EXPECT_EQ(usable_cpus(), static_cast<unsigned>(CPU_COUNT(&all)));

    // A thread pinned to one CPU sees one, however many the machine has.
    int first = 0;
    while (!CPU_ISSET(first, &all)) ++first;
    unsigned pinned = 0;
    std::thread t([&] {
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(first, &one);
        if (sched_setaffinity(0, sizeof one, &one) == 0) pinned = usable_cpus();
    });
    t.join();
    EXPECT_EQ(pinned, 1u);
}

}  // namespace
}  // namespace fk
