#pragma once
/// WebDriver services: geckodriver, chromedriver and a local Selenium Grid, launched on a
/// port nobody else has, ready when GET /status says so, and taken down with every browser
/// they started. (A convenience header: each kind also has its own.)

#include "foxport/capabilities.hpp"
#include "foxport/chromedriver.hpp"
#include "foxport/driver_service.hpp"
#include "foxport/geckodriver.hpp"
#include "foxport/grid.hpp"
