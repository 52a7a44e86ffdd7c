namespace Galaxy.Integration.Tests.Labs;

public sealed class LabPrerequisitesTests
{
    [Fact]
    public void A_missing_prerequisite_fails_when_namespaces_are_required()
    {
        Assert.Equal(LabPrerequisites.Decision.Fail, LabPrerequisites.Decide("not running as root", required: true));
    }

    [Fact]
    public void A_missing_prerequisite_skips_when_namespaces_are_optional()
    {
        Assert.Equal(LabPrerequisites.Decision.Skip, LabPrerequisites.Decide("not running as root", required: false));
    }

    [Fact]
    public void Nothing_missing_runs_either_way()
    {
        Assert.Equal(LabPrerequisites.Decision.Run, LabPrerequisites.Decide(null, required: true));
        Assert.Equal(LabPrerequisites.Decision.Run, LabPrerequisites.Decide(null, required: false));
    }

    [Fact]
    public void Owner_is_read_back_from_a_namespace_name()
    {
        Assert.True(LabReaper.TryParseOwner("glx-4242-987654-3-router", out var owner));
        Assert.Equal(new LabOwner(4242, 987654), owner);
        Assert.False(LabReaper.TryParseOwner("glx-probe", out _));
        Assert.False(LabReaper.TryParseOwner("other-4242-987654-3-router", out _));
    }

    [Fact]
    public void This_process_is_a_live_owner_and_a_wrong_start_time_is_not()
    {
        var me = LabOwner.Current;
        Assert.True(me.IsAlive());
        Assert.False((me with { StartTime = me.StartTime + 1 }).IsAlive());
    }
}
