// netstandard2.0 lacks the marker type that records and init accessors need at compile time.

namespace System.Runtime.CompilerServices;

internal static class IsExternalInit
{
}
