// Boost.URL compiled into the command from Debian's headers, instead of linked from
// libboost_url: its url_base.ipp includes <iostream> without using it, and in a program that
// links it that include constructs the standard streams and the classic locale before main,
// 0.05 ms of every start of the command (#19). libstdc++'s include guard makes it empty here;
// with another library the include simply stays.
#define _GLIBCXX_IOSTREAM
#include <boost/url/src.hpp>
