//! The current limits where the service-grade flows (holds, series, groups) meet the
//! inventory's standby and regions: `Config` refuses the combinations, with typed errors, and
//! the defaults stay valid.

use fairbook::{Config, ConfigError, Engine};

fn holds() -> Config {
    Config {
        holds_max: 10,
        standby_max: 0,
        ..Config::default()
    }
}

fn series() -> Config {
    Config {
        bookings_per_person_max: 2,
        series_gap_days_min: 1,
        series_gap_days_max: 28,
        standby_max: 0,
        ..Config::default()
    }
}

fn groups() -> Config {
    Config {
        dependants_per_person_max: 2,
        groups_max: 10,
        standby_max: 0,
        ..Config::default()
    }
}

#[test]
fn the_default_is_valid_with_standby_on_and_holds_off() {
    let config = Config::default();
    assert!(config.standby_max > 0);
    assert_eq!(config.holds_max, 0);
    assert_eq!(config.validate(), Ok(()));
    assert!(Engine::new(config).is_ok());
}

#[test]
fn each_flow_is_valid_with_standby_off_and_one_region() {
    for config in [holds(), series(), groups()] {
        assert_eq!(config.validate(), Ok(()), "{config:?}");
    }
    let all = Config {
        holds_max: 10,
        ops_remembered_max: 64,
        ..series()
    };
    assert_eq!(all.validate(), Ok(()));
}

#[test]
fn holds_with_standby_are_refused() {
    let config = Config {
        standby_max: 5,
        ..holds()
    };
    let error = config.validate().unwrap_err();
    assert_eq!(
        error,
        ConfigError::HoldsWithStandby {
            holds_max: 10,
            standby_max: 5
        }
    );
    assert_eq!(error.code(), "holds_with_standby");
    assert!(error.to_string().contains("standby_max is 5"), "{error}");
    assert_eq!(Engine::new(config).err(), Some(error));
}

#[test]
fn series_or_groups_with_standby_are_refused() {
    for config in [series(), groups()] {
        let config = Config {
            standby_max: 1,
            ..config
        };
        let error = config.validate().unwrap_err();
        assert_eq!(
            error,
            ConfigError::LinkedBookingsWithStandby { standby_max: 1 }
        );
        assert_eq!(error.code(), "linked_bookings_with_standby");
        assert!(Engine::memory_for(&config).is_err());
    }
}

#[test]
fn flows_with_more_than_one_region_are_refused() {
    for config in [holds(), series(), groups()] {
        let config = Config {
            regions_max: 2,
            ..config
        };
        let error = config.validate().unwrap_err();
        assert_eq!(error, ConfigError::FlowsWithRegions { regions_max: 2 });
        assert_eq!(error.code(), "flows_with_regions");
        assert!(!error.to_string().is_empty());
    }
    // Standby and regions without the flows stay valid, and so do remembered operations.
    let inventory = Config {
        regions_max: 3,
        ops_remembered_max: 64,
        ..Config::default()
    };
    assert_eq!(inventory.validate(), Ok(()));
}
