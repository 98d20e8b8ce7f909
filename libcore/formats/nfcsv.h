// nfdump's CSV output (`nfdump -o csv`, nfdump 1.7): a header line of short names (ts, te, td,
// sa, da, sp, dp, pr, flg, ..., ipkt, ibyt, ...), one flow per line, and a trailing "Summary"
// section. Columns are found by their header name, so any column order is accepted.
#pragma once
#include "formats/import.h"

namespace fk {

class NfcsvImporter : public Importer {
  public:
    void read(LineReader& in, const ImportOptions& opts, const FlowSink& sink,
              ImportStats& stats) override;
};

}  // namespace fk
