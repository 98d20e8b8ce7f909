// Inputs several format tests read.
#pragma once

namespace fk::test {

// An Azure NSG flow log blob of three tuples on lines 3-5, the second (line 4) with protocol X.
inline constexpr const char* kAzureBlobWithBadTuple =
    "{\"records\":[{\"properties\":{\"Version\":1,\"flows\":[{\"rule\":\"r\",\"flows\":[\n"
    "{\"mac\":\"000D3AF8801A\",\"flowTuples\":[\n"
    "\"1487282421,192.0.2.95,10.1.0.4,51529,5358,T,I,D\",\n"
    "\"1487282421,192.0.2.95,10.1.0.4,51529,5358,X,I,D\",\n"
    "\"1487282421,192.0.2.96,10.1.0.4,51529,5358,T,I,A\"]}]}]}}]}\n";

}  // namespace fk::test
