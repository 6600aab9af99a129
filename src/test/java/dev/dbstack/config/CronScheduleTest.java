package dev.dbstack.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Velero's schedule and duration syntax (robfig/cron's ParseStandard, Go's time.ParseDuration and Duration.String). */
class CronScheduleTest {
    @ParameterizedTest
    @ValueSource(strings = {"0 3 * * *", "*/15 * * * *", "0 0 1,15 * ?", "0 22 * * 1-5", "5 4 * * sun", "0 0 1 jan-MAR/2 *",
            "30 2 * * MON,WED,FRI", "0 0-23/6 * * *", "7/10 * * * *", "@daily", "@midnight", "@every 6h", "@every 1h30m",
            "CRON_TZ=Europe/Berlin 0 3 * * *", "TZ=UTC @hourly", "  0 3 * * *  "})
    void velerosSchedulesAreTaken(String schedule) {
        assertThat(CronSchedule.problem(schedule)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "0 24 * * *|hour field '24' is out of range 0-23",
            "0 3 0 * *|day-of-month field '0' is out of range 1-31",
            "0 3 * 13 *|month field '13' is out of range 1-12",
            "0 3 * * */0|day-of-week field '*/0': step 0 never fires; a step is 1 or more",
            "0 3 * * MON-|day-of-week field 'MON-': an empty value is not a number or a name (SUN, MON, TUE, WED, THU, FRI, SAT)",
            "0 3 1/2/3 * *|day-of-month field '1/2/3' has more than one '/'",
            "0 3 * *|'0 3 * *' has 4 fields; Velero takes five fields (minute hour day-of-month month day-of-week, e.g. '0 3 * * *'), or one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly, @every <duration>",
            "TZ=Europe/Berlin|has a time zone but no schedule after it: write e.g. 'TZ=Europe/Berlin 0 3 * * *'"})
    void otherSchedulesAreRefusedNamingTheField(String schedule, String message) {
        assertThat(CronSchedule.problem(schedule)).contains(message);
    }

    @ParameterizedTest
    @CsvSource({"720h,720h0m0s", "168h0m0s,168h0m0s", "1h30m,1h30m0s", "90m,1h30m0s", "1.5h,1h30m0s", "90s,1m30s", "1.5s,1.5s",
            "500ms,500ms", "1500us,1.5ms", "0,0s", "2h45m30.25s,2h45m30.25s"})
    void goDurationsAreWrittenAsGoWritesThem(String text, String go) {
        assertThat(GoDuration.format(GoDuration.nanos(text))).isEqualTo(go);
    }
}
