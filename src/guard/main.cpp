// foxport-guard: the guard as a program of its own (guard/guard.cpp), for launches that
// exec it (the library's, and foxport's with FOXPORT_GUARD set).

#include "guard/guard.hpp"

int main(int argc, char** argv) { return foxport::guard::run(argc, argv); }
