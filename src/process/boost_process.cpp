// The one translation unit that compiles Boost.Process v2's separately-compiled part.
#include <boost/process/v2/src.hpp>
